-- Keep a token joined by single hyphens (a date, document number, phone number or id such as
-- 2008-07-05, OSCC-DR-001 or CC-CMM-OC) on one line: Typst may otherwise end a line after any
-- of its hyphens. Each such token becomes an unbreakable box; its text stays as typed.

local function boxed(token)
  -- letters, digits and hyphens only: nothing Typst reads as markup but "--" (a dash), excluded
  return pandoc.RawInline("typst", "#box[" .. token .. "];")
end

local function is_token(word)
  return word:find("^%w") and word:find("%w$") and word:find("%-")
    and not word:find("%-%-")
end

function Str(el)
  local text = el.text
  if not text:find("%w%-%w") then
    return nil
  end
  local out = pandoc.Inlines({})
  local at = 1
  for start, word, stop in text:gmatch("()([%w%-]+)()") do
    if is_token(word) then
      if start > at then
        out:insert(pandoc.Str(text:sub(at, start - 1)))
      end
      out:insert(boxed(word))
      at = stop
    end
  end
  if at <= #text then
    out:insert(pandoc.Str(text:sub(at)))
  end
  return out
end
