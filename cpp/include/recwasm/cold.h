#pragma once

// RECWASM_COLD marks a function that runs once per call rather than in a loop (explanations,
// snapshots, option parsing) inside a translation unit whose loops must stay fast. Clang then
// optimises that one function for size, as -Oz would: every page that uses recwasm downloads
// the module, and such code is most of it. Other compilers ignore the mark.
#if defined(__clang__)
#define RECWASM_COLD __attribute__((minsize))
#else
#define RECWASM_COLD
#endif
