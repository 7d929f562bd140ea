#pragma once
// Small text helpers of the loader: JSON pointers, "did you mean", quoting.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace nlb::runner {

// RFC 6901: "~" -> "~0", "/" -> "~1".
std::string pointer_token(std::string_view key);
std::string pointer_join(std::string_view base, std::string_view key);
std::string pointer_join(std::string_view base, std::size_t index);
// The pointer without its last token ("" stays "").
std::string_view pointer_parent(std::string_view p);

// Edit distance (optimal string alignment: adjacent swaps cost 1), for suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// " (did you mean \"x\"?)" for the closest candidate within a distance that makes sense for
// the word's length, or "" when nothing is close.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

// "\"text\"" with control characters escaped and long text cut, for messages.
std::string in_quotes(std::string_view text);

// Joins "a", "b", "c" as "a, b and c" (or "a, b or c").
std::string join_words(std::span<const std::string> words, std::string_view last = "and");

// True if `name` matches `pattern`, where '*' matches any run of characters.
bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace nlb::runner

#include <cstdint>
#include <optional>

#include "sim/time.hpp"

namespace nlb::runner {

// The shortest exact text for a time in the largest unit that divides it: "1us", "500ms",
// "300s", "4h". sim::Time::str() gives seconds always; this reads better in docs and schema.
std::string format_time(sim::Time t);

// "1Gbps", "100Mbps", "1.5Gbps", "64kbps", "9600bps" (SI, decimal) -> bits per second.
std::optional<std::uint64_t> parse_bandwidth(std::string_view text);
std::string format_bandwidth(std::uint64_t bps);

}  // namespace nlb::runner
