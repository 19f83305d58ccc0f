-- Typst reads "-", "+", "/", "=" or "1." followed by a space as list, enumeration, term or
-- heading markup at the start of any line of markup: a list item or a table cell as much as a
-- paragraph. pandoc escapes them at the start of a paragraph only; this filter escapes them
-- wherever a line of text starts, so profile text such as "- item" is printed as typed.

local function escaped(text)
  local digits, rest = text:match("^(%d+)%.(.*)$")
  if digits then
    return { pandoc.RawInline("typst", digits .. "\\."), pandoc.Str(rest) }
  end
  local marker = text:sub(1, 1)
  if marker == "-" or marker == "+" or marker == "/" or marker == "=" then
    return { pandoc.RawInline("typst", "\\" .. marker), pandoc.Str(text:sub(2)) }
  end
  return nil
end

local function starts_markup(inlines, i)
  local word, after = inlines[i], inlines[i + 1]
  if not word or word.t ~= "Str" then return false end
  local bare = word.text == "-" or word.text == "+" or word.text == "/" or word.text == "="
    or word.text:match("^%d+%.$")
  return bare and (after == nil or after.t == "Space" or after.t == "SoftBreak"
    or after.t == "LineBreak")
end

local function escape_line_starts(el)
  local out = pandoc.Inlines({})
  for i, inline in ipairs(el.content) do
    local line_start = i == 1 or el.content[i - 1].t == "LineBreak"
    local parts = line_start and starts_markup(el.content, i) and escaped(inline.text)
    if parts then
      for _, part in ipairs(parts) do
        if not (part.t == "Str" and part.text == "") then out:insert(part) end
      end
    else
      out:insert(inline)
    end
  end
  el.content = out
  return el
end

return { { Plain = escape_line_starts, Para = escape_line_starts } }
