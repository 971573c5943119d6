#pragma once
// The fixed vocabularies the quotes site generator draws from. Part of the generator's output
// contract: changing a list changes every generated site, so append rather than edit.

#include <array>
#include <string_view>

namespace interloop::examples::words {

/// First names of generated authors (one with dots, to exercise slugs).
inline constexpr std::array<std::string_view, 24> first_names = {
    "Albert", "Jane",  "Mark",     "Ada",   "J.K.",  "Marie",   "Oscar", "Emily",
    "George", "Maya",  "Thomas",   "Helen", "Andre", "Eleanor", "Dr.",   "Ralph",
    "Harper", "Isaac", "Virginia", "Pablo", "Terry", "Agatha",  "Frida", "Haruki"};

/// Last names of generated authors (one with an apostrophe, to exercise escaping).
inline constexpr std::array<std::string_view, 23> last_names = {
    "Einstein", "Austen",  "Twain",  "Lovelace", "Rowling",   "Curie",     "Wilde",   "Dickinson",
    "Eliot",    "Angelou", "Edison", "Keller",   "Gide",      "Roosevelt", "Seuss",   "Emerson",
    "Lee",      "Asimov",  "Woolf",  "Neruda",   "Pratchett", "O'Keeffe",  "Murakami"};

/// Tag names; beyond the list, tags get a numeric suffix ("love-2").
inline constexpr std::array<std::string_view, 32> tags = {
    "love",        "inspirational", "life",      "humor",    "books",         "reading",
    "friendship",  "friends",       "truth",     "simile",   "deep-thoughts", "be-yourself",
    "change",      "world",         "thinking",  "choices",  "music",         "miracles",
    "success",     "poetry",        "hope",      "writing",  "death",         "romance",
    "adventure",   "happiness",     "knowledge", "learning", "wisdom",        "courage",
    "imagination", "paraphrased"};

/// Words of quote texts and biographies (a few with an apostrophe, an ampersand or non-ASCII
/// letters, so scrapers must decode entities and UTF-8).
inline constexpr std::array<std::string_view, 96> text = {
    "the",      "world",     "as",        "we",         "have",     "created",
    "it",       "is",        "a",         "process",    "of",       "our",
    "thinking", "cannot",    "be",        "changed",    "without",  "our",
    "choices",  "show",      "what",      "truly",      "are",      "far",
    "more",     "than",      "abilities", "there",      "only",     "two",
    "ways",     "to",        "live",      "your",       "life",     "one",
    "nothing",  "miracle",   "other",     "everything", "person",   "be",
    "it",       "gentleman", "lady",      "who",        "has",      "not",
    "pleasure", "in",        "good",      "novel",      "must",     "intolerably",
    "stupid",   "don't",     "it's",      "café",       "naïve",    "salt & pepper",
    "try",      "become",    "man",       "of",         "success",  "rather",
    "value",    "love",      "hate",      "music",      "dream",    "book",
    "friend",   "always",    "never",     "today",      "tomorrow", "light",
    "dark",     "heart",     "mind",      "time",       "little",   "great",
    "simple",   "quiet",     "brave",     "kind",       "truth",    "lie",
    "hope",     "fear",      "read",      "write",      "laugh",    "believe"};

/// Months for birth dates.
inline constexpr std::array<std::string_view, 12> months = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

/// Birth places.
inline constexpr std::array<std::string_view, 12> places = {
    "in Ulm, Germany",
    "in Steventon Rectory, Hampshire, The United Kingdom",
    "in Florida, Missouri, The United States",
    "in London, The United Kingdom",
    "in Warsaw, Poland",
    "in Dublin, Ireland",
    "in Amherst, Massachusetts, The United States",
    "in Paris, France",
    "in Kyoto, Japan",
    "in Parral, Chile",
    "in Coyoacán, Mexico",
    "in Beaconsfield, The United Kingdom"};

}  // namespace interloop::examples::words
