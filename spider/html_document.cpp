#include "spider/html_document.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include <climits>
#include <memory>
#include <new>

#include "spider/detail/decode.hpp"
#include "spider/detail/libxml_support.hpp"

namespace interloop::spider {
namespace {

// parsel's parser: lxml's HTMLParser(recover=True, huge_tree=True), with error reports off.
// XML_PARSE_HUGE lifts libxml2's depth limit of 256 open elements, past which it silently drops
// the rest of the page (a few hundred unclosed <font> or <div> tags are enough); the
// downloader's size limit is the bound on memory. IGNORE_ENC: the body is already UTF-8 and a
// <meta charset> must not switch decoders mid-parse.
constexpr int parse_options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                              HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC |
                              XML_PARSE_HUGE;

bool blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n\f") == std::string_view::npos;
}

}  // namespace

std::shared_ptr<const HtmlDocument> HtmlDocument::parse(std::string_view body,
                                                        std::string_view base_url,
                                                        std::string_view encoding) {
    detail::init_libxml();
    std::string storage, used_encoding;
    std::string_view text = detail::decode_body(body, encoding, storage, used_encoding);
    if (text.size() > static_cast<std::size_t>(INT_MAX)) text = text.substr(0, INT_MAX);

    const std::string url(base_url);
    const char* url_arg = url.empty() ? nullptr : url.c_str();
    xmlDocPtr doc = nullptr;
    {
        detail::LibxmlQuiet quiet;
        if (!blank(text)) {
            doc = htmlReadMemory(text.data(), static_cast<int>(text.size()), url_arg, nullptr,
                                 parse_options);
        }
        if (doc == nullptr) {
            doc = htmlNewDocNoDtD(nullptr, nullptr);
            if (doc == nullptr) throw std::bad_alloc();
            if (url_arg != nullptr) doc->URL = xmlStrdup(BAD_CAST url_arg);
        }
    }
    // Not xmlXPathOrderDocElems: with element numbers libxml2 orders a text node by its nearest
    // element, which puts it before the attributes of that element's descendants (lxml does not
    // number elements, and parsel's results are in true document order).
    std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> owner(doc, xmlFreeDoc);
    auto result =
        std::make_shared<const HtmlDocument>(Passkey{}, doc, url, std::move(used_encoding));
    owner.release();
    return result;
}

HtmlDocument::HtmlDocument(Passkey, _xmlDoc* doc, std::string base_url,
                           std::string encoding) noexcept
    : doc_(doc), base_url_(std::move(base_url)), encoding_(std::move(encoding)) {}

HtmlDocument::~HtmlDocument() {
    xmlFreeDoc(doc_);
}

_xmlNode* HtmlDocument::root() const noexcept {
    xmlNodePtr root = xmlDocGetRootElement(doc_);
    return root != nullptr ? root : reinterpret_cast<xmlNodePtr>(doc_);
}

}  // namespace interloop::spider
