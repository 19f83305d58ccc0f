-- Several pandoc conversions in one pandoc process:  pandoc lua pandoc-run.lua JOBS.json
--
-- Starting pandoc costs more than converting a short document: its DOCX writer alone reads
-- its data files again on every start. ccdocs gives all the conversions of a build (or of its
-- share of the cores) to one process. Each job does what the pandoc command line does with
-- the same options (tested to give the same bytes):
--   from, source               the reader format, and the file holding the Markdown
--   to, target                 the writer format, and the file written
--   filters                    Lua filters, run in order (--lua-filter)
--   reference_doc              --reference-doc
--   metadata                   --metadata-file: values read as Markdown, the file's defaults
--   lang                       --metadata=lang:...
--   toc_depth                  --toc --toc-depth=N (0: no contents)
--   shift_headings             --shift-heading-level-by=N
--   resources                  --resource-path
--   wrap                       --wrap
-- A job that fails stops the run: its index and pandoc's message on stderr, exit status 1.

local COLUMNS = 72 -- the command line's default for both the reader and the writer

local function read_file(path)
  local handle = assert(io.open(path, "rb"))
  local text = handle:read("a")
  handle:close()
  return text
end

local function write_file(path, data)
  local handle = assert(io.open(path, "wb"))
  handle:write(data)
  handle:close()
end

-- A filter file as the command line runs it: its global functions, with FORMAT set.
local function load_filter(path, format)
  local env = setmetatable({ FORMAT = format }, { __index = _G })
  local chunk = assert(loadfile(path, "t", env))
  local returned = chunk()
  if type(returned) == "table" then
    return returned
  end
  local filter = {}
  for name, value in pairs(env) do
    if type(value) == "function" then
      filter[name] = value
    end
  end
  return { filter }
end

-- --shift-heading-level-by: a first heading that would become level 0 is the title; any
-- other becomes a paragraph.
local function shift_headings(doc, by)
  if by == 0 then
    return doc
  end
  local blocks = doc.blocks
  if by < 0 and #blocks > 0 and blocks[1].t == "Header" and blocks[1].level + by == 0 then
    doc.meta.title = blocks[1].content
    blocks:remove(1)
  end
  doc.blocks = blocks:walk({
    Header = function(header)
      if header.level + by > 0 then
        header.level = header.level + by
        return header
      end
      return pandoc.Para(header.content)
    end,
  })
  return doc
end

-- --metadata-file: its values, read as Markdown of the reader's format, are defaults that the
-- document's own metadata does not override.
local function with_metadata(doc, values, from)
  local keys = {}
  for key in pairs(values) do
    keys[#keys + 1] = key
  end
  if #keys == 0 then
    return doc
  end
  local yaml = "---\n" .. pandoc.json.encode(values) .. "\n---\n"
  local defaults = pandoc.read(yaml, from .. "+yaml_metadata_block").meta
  for key, value in pairs(defaults) do
    if doc.meta[key] == nil then
      doc.meta[key] = value
    end
  end
  return doc
end

local function convert(job)
  local doc = pandoc.read(read_file(job.source), job.from, { columns = COLUMNS })
  doc = shift_headings(doc, job.shift_headings or 0)
  doc = with_metadata(doc, job.metadata or {}, job.from)
  if job.lang and job.lang ~= "" then
    doc.meta.lang = job.lang
  end
  for _, path in ipairs(job.filters or {}) do
    for _, filter in ipairs(load_filter(path, job.to)) do
      doc = doc:walk(filter)
    end
  end
  local options = { columns = COLUMNS }
  if job.wrap then
    options.wrap_text = job.wrap
  end
  if job.reference_doc then
    options.reference_doc = job.reference_doc
  end
  if job.toc_depth and job.toc_depth > 0 then
    options.table_of_contents = true
    options.toc_depth = job.toc_depth
  end
  pandoc.mediabag.empty() -- pictures are looked up in this job's own folder
  local state = { resource_path = { job.resources or "." } }
  local output = pandoc.with_state(state, function()
    return pandoc.write(doc, job.to, options)
  end)
  write_file(job.target, output)
end

local jobs = pandoc.json.decode(read_file(arg[1]), false)
for index, job in ipairs(jobs) do
  local ok, message = pcall(convert, job)
  if not ok then
    io.stderr:write(string.format("job %d: %s\n", index - 1, tostring(message)))
    os.exit(1)
  end
end
