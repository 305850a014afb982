// What every file of modeld's chat-layer shim shares: the export macro, how strings go to Java, and the one
// barrier every exported function runs its body in. See README.md beside this file.

#pragma once

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#define MODELD_API extern "C" __attribute__((visibility("default")))

namespace modeld {

// A copy of `s` that Java owns and frees with modeld_string_free.
inline char * out(const std::string & s) {
    char * p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p) {
        std::memcpy(p, s.c_str(), s.size() + 1);
    }
    return p;
}

// The barrier: runs `body`; any exception becomes a message in *err (when err is given) and the function
// answers `failure`. No exception ever crosses into Java: through JNA it would abort the runner, and with it
// every slot of its model.
template <typename T, typename F>
T guarded(char ** err, T failure, F && body) noexcept {
    try {
        return body();
    } catch (const std::exception & e) {
        if (err) {
            *err = out(e.what());
        }
    } catch (...) {
        if (err) {
            *err = out("an unknown C++ exception");
        }
    }
    return failure;
}

}  // namespace modeld
