/* The site's search worker: the theme's own (named after "#" in this script's address), with
 * Chinese queries cut into the words the index holds.
 *
 * The index holds Chinese text cut into dictionary words (服务水平 as 服务 + 水平; see
 * generator/publish/search_words.py). Each run of Chinese characters in a query is cut here
 * the same way, longest known word first, against the words of the index; a run of several
 * words asks for all of them ("+服务* +水平*"), a run of one word for that word. The theme
 * would otherwise cut the query on its own, which misses a word that ends the query. The
 * characters of each word are separated by "\" (an escape that lunr removes), so the theme
 * passes the words on as they are.
 */
"use strict"

var SETUP = 0
var QUERY = 2
var HAN = /\p{sc=Han}+/u
var RUNS = /([+-]?)(\p{sc=Han}+)/gu

var words = new Set()
var longest = 1

function learn(config, docs) {
  var separator = new RegExp(config.separator)
  docs.forEach(function (doc) {
    [doc.title, doc.text].forEach(function (field) {
      if (typeof field !== "string") return
      field.replace(/<[^>]*>/g, " ").split(separator).forEach(function (word) {
        if (!HAN.test(word)) return
        word = word.toLowerCase()
        words.add(word)
        longest = Math.max(longest, word.length)
      })
    })
  })
}

function cut(run) {
  var parts = []
  for (var start = 0; start < run.length;) {
    var size = Math.min(longest, run.length - start)
    while (size > 1 && !words.has(run.slice(start, start + size))) size--
    parts.push(run.slice(start, start + size))
    start += size
  }
  return parts
}

function escaped(word) {
  return Array.from(word).join("\\")
}

function rewrite(query) {
  return query.replace(RUNS, function (_, sign, run) {
    var parts = cut(run)
    if (parts.length === 1) return sign + escaped(run)
    return " " + parts.map(function (part) {
      return (sign || "+") + escaped(part) + "*"
    }).join(" ") + " "
  })
}

/* Registered before the theme's worker: both see the same message, this one first. */
addEventListener("message", function (event) {
  var message = event.data
  if (message.type === SETUP) learn(message.data.config, message.data.docs)
  else if (message.type === QUERY && typeof message.data === "string")
    message.data = rewrite(message.data)
})

var theme = decodeURIComponent(self.location.hash.slice(1))
if (!/^search\.[\w.]+\.js$/.test(theme)) throw new Error("no search worker named: " + theme)
importScripts(theme)
