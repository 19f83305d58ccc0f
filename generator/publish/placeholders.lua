-- Placeholders shown as such on paper. ccdocs marks each placeholder of the print Markdown as
-- <mark>...</mark> (its own tags, after the profile's text was escaped, so a profile cannot make
-- them); here the marked text becomes a highlight in Typst, or a run in the character style
-- "Placeholder" in DOCX (the reference document highlights it).

local function tag(el, text)
  return el.t == "RawInline" and el.format == "html" and el.text == text
end

function Inlines(inlines)
  local out = pandoc.Inlines({})
  local i = 1
  while i <= #inlines do
    local j = nil
    if tag(inlines[i], "<mark>") then
      j = i + 1
      while j <= #inlines and not tag(inlines[j], "</mark>") do
        j = j + 1
      end
      if j > #inlines then
        j = nil
      end
    end
    if j then
      local content = pandoc.Inlines({})
      for k = i + 1, j - 1 do
        content:insert(inlines[k])
      end
      if FORMAT == "typst" then
        out:insert(pandoc.RawInline("typst", '#highlight(fill: rgb("#fff3a0"))['))
        out:extend(content)
        out:insert(pandoc.RawInline("typst", "];"))
      else
        out:insert(pandoc.Span(content, { ["custom-style"] = "Placeholder" }))
      end
      i = j + 1
    else
      out:insert(inlines[i])
      i = i + 1
    end
  end
  return out
end
