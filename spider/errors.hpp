#pragma once
// The exception types of the spider layer's selectors.

#include <stdexcept>
#include <string>
#include <string_view>

namespace interloop::spider {

/// An XPath, CSS or regular expression that cannot be used: malformed, or outside the supported
/// CSS subset, or (XPath) calling an unknown function or mixing types at evaluation time
/// (parsel's `ValueError`). `what()` names the expression and the reason.
class SelectorSyntaxError : public std::invalid_argument {
public:
    /// `language` is "xpath", "css" or "regex"; `reason` says what is wrong.
    SelectorSyntaxError(std::string_view language, std::string_view expression,
                        std::string_view reason);

    /// "xpath", "css" or "regex".
    const std::string& language() const noexcept { return language_; }
    /// The expression as the caller wrote it.
    const std::string& expression() const noexcept { return expression_; }
    /// Why it was rejected.
    const std::string& reason() const noexcept { return reason_; }

private:
    std::string language_, expression_, reason_;
};

}  // namespace interloop::spider
