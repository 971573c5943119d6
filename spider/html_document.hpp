#pragma once
// HtmlDocument: an HTML body parsed by libxml2's lenient HTML parser, owned jointly by the
// selectors that point into it.

#include <memory>
#include <string>
#include <string_view>

struct _xmlDoc;
struct _xmlNode;

namespace interloop::spider {

/// An HTML document parsed by libxml2's HTML parser in recovery mode, so broken markup is
/// repaired the way lxml repairs it (implied html/head/body, unclosed and stray tags, `<p>`
/// auto-closing, entities). Owns its libxml2 tree; immutable after parsing. Always held by
/// `std::shared_ptr`, so selectors keep it alive after the response that made them is gone.
///
/// The body is decoded first (see `parse`), so libxml2 always receives well-formed UTF-8 and
/// never drops text: libxml2 alone truncates a document at a NUL byte inside an attribute, and
/// at the first malformed byte of a declared encoding.
///
/// Not synchronized: use a document and its selectors on one thread at a time. The caches
/// behind `css()` and `xpath()` are per thread, so threads may each work on their own documents.
class HtmlDocument {
    struct Passkey {};

public:
    /// Parses `body`. Never throws on malformed input (only `std::bad_alloc`); an empty or
    /// whitespace-only body gives an empty document, in which every selection is empty.
    ///
    /// `encoding` is the charset the transport declared (HTTP Content-Type), if any. The
    /// encoding used is chosen as browsers and Scrapy choose it: a byte-order mark, else
    /// `encoding`, else a `<meta>` charset, else utf-8 if the bytes are valid utf-8, else
    /// windows-1252 (WHATWG labels: "iso-8859-1" means windows-1252). Malformed sequences become
    /// U+FFFD and NUL bytes are removed (as parsel does). `base_url` is recorded as the
    /// document's URL.
    static std::shared_ptr<const HtmlDocument> parse(std::string_view body,
                                                     std::string_view base_url = {},
                                                     std::string_view encoding = {});

    HtmlDocument(Passkey, _xmlDoc* doc, std::string base_url, std::string encoding) noexcept;
    ~HtmlDocument();
    HtmlDocument(const HtmlDocument&) = delete;
    HtmlDocument& operator=(const HtmlDocument&) = delete;

    /// The libxml2 document, never null, alive as long as this object. For reading only.
    _xmlDoc* xml_doc() const noexcept { return doc_; }
    /// The root element (`<html>` after recovery), or the document node itself when there is
    /// none (an empty document). parsel's root selector is this node.
    _xmlNode* root() const noexcept;
    /// The URL given to `parse`.
    const std::string& base_url() const noexcept { return base_url_; }
    /// The canonical name of the encoding the body was decoded from ("utf-8", "windows-1252",
    /// "shift_jis", ...).
    const std::string& encoding() const noexcept { return encoding_; }

private:
    _xmlDoc* doc_;
    std::string base_url_;
    std::string encoding_;
};

}  // namespace interloop::spider
