// A pinned clock for the chat layer, for tests that compare renders with llama-server's. Templates print
// today's date (strftime_now, date_string), and this release's Jinja engine reads it from time() and the
// system clock, not from the inputs' `now`. Pinning points libllama-common's own calls of time(),
// system_clock::now() and localtime() (its PLT and GOT slots) at a fixed instant in UTC; nothing else in the
// process sees it. See README.md beside this file.

#include "modeld_shim.h"

#include "chat.h"

#include <chrono>
#include <ctime>
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>
#include <utility>

namespace {

std::time_t pinned_time;

std::time_t pinned_time_of(std::time_t * t) {
    if (t) {
        *t = pinned_time;
    }
    return pinned_time;
}

std::chrono::system_clock::time_point pinned_now() {
    return std::chrono::system_clock::from_time_t(pinned_time);
}

std::tm * pinned_localtime(const std::time_t * t) {
    return std::gmtime(t);
}

// Points the PLT and GOT slots of the library holding `inside` for the named functions at their pinned twins.
int pin_slots(const void * inside) {
    Dl_info info;
    link_map * lm = nullptr;
    if (!dladdr1(inside, &info, reinterpret_cast<void **>(&lm), RTLD_DL_LINKMAP) || !lm) {
        return 0;
    }
    auto at = [lm](ElfW(Addr) v) { return v < lm->l_addr ? v + lm->l_addr : v; };
    const ElfW(Sym) * symtab = nullptr;
    const char * strtab = nullptr;
    const ElfW(Rela) * tables[2] = {nullptr, nullptr};
    size_t sizes[2] = {0, 0};
    for (const ElfW(Dyn) * d = lm->l_ld; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
            case DT_SYMTAB: symtab = reinterpret_cast<const ElfW(Sym) *>(at(d->d_un.d_ptr)); break;
            case DT_STRTAB: strtab = reinterpret_cast<const char *>(at(d->d_un.d_ptr)); break;
            case DT_JMPREL: tables[0] = reinterpret_cast<const ElfW(Rela) *>(at(d->d_un.d_ptr)); break;
            case DT_PLTRELSZ: sizes[0] = d->d_un.d_val; break;
            case DT_RELA: tables[1] = reinterpret_cast<const ElfW(Rela) *>(at(d->d_un.d_ptr)); break;
            case DT_RELASZ: sizes[1] = d->d_un.d_val; break;
        }
    }
    if (!symtab || !strtab) {
        return 0;
    }
    const std::pair<const char *, void *> twins[] = {
        {"time", reinterpret_cast<void *>(&pinned_time_of)},
        {"localtime", reinterpret_cast<void *>(&pinned_localtime)},
        {"_ZNSt6chrono3_V212system_clock3nowEv", reinterpret_cast<void *>(&pinned_now)},
    };
    long page = sysconf(_SC_PAGESIZE);
    int pinned = 0;
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; tables[t] && i < sizes[t] / sizeof(ElfW(Rela)); i++) {
            const ElfW(Rela) & r = tables[t][i];
            const char * name = strtab + symtab[ELF64_R_SYM(r.r_info)].st_name;
            for (const auto & [wanted, twin] : twins) {
                if (ELF64_R_SYM(r.r_info) != 0 && std::strcmp(name, wanted) == 0) {
                    auto * slot = reinterpret_cast<void **>(lm->l_addr + r.r_offset);
                    void * start = reinterpret_cast<void *>(reinterpret_cast<uintptr_t>(slot) & ~(uintptr_t) (page - 1));
                    mprotect(start, page, PROT_READ | PROT_WRITE);  // a slot under RELRO is read-only by now
                    *slot = twin;
                    pinned++;
                }
            }
        }
    }
    return pinned;
}

}  // namespace

// Pins the time templates see at `epoch_seconds` (UTC); answers how many of libllama-common's call sites now
// read it (0: not pinned).
MODELD_API int modeld_chat_pin_clock(long long epoch_seconds) {
    return modeld::guarded<int>(nullptr, 0, [&]() -> int {
        pinned_time = static_cast<std::time_t>(epoch_seconds);
        return pin_slots(reinterpret_cast<const void *>(&common_chat_templates_apply));
    });
}
