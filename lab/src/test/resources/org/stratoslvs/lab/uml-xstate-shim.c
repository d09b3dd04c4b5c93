/*
 * LD_PRELOAD for Debian's user-mode Linux (linux.uml 6.1) on hosts whose CPU has more FPU state than the 832 bytes
 * (x87, SSE, AVX) UML saves and restores for its processes: AVX-512, AMX. UML writes the state back with
 * ptrace(PTRACE_SETREGSET, NT_X86_XSTATE) and an 832-byte buffer; the host kernel takes that regset only at its
 * full size and answers EFAULT ("ptrace set fp regs failed, errno = 14", then "Attempted to kill init").
 *
 * This wrapper reads the traced process's whole state, lays UML's bytes over its start and writes the whole back.
 * The components beyond UML's buffer keep the values the process has (their XSTATE_BV bits are the live ones), so
 * nothing UML saved is lost and nothing it did not save is reset. The lab guest asks its programs not to use
 * AVX-512 (guest-init.sh), since UML does not switch that state between the threads of one process.
 *
 * Where the sizes already match (this project's CI machine: AVX2), the call passes through unchanged, unless
 * LAB_XSTATE_SHIM_FORCE=1, which takes the merge path on every call: GuestLabTest boots that way to prove the
 * merge correct on a machine where it is not needed; the first merge creates the file LAB_XSTATE_SHIM_MARK names,
 * if any, so that the test knows the merge ran.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
/* the FXSAVE area (512 bytes), then the XSAVE header, whose first 8 bytes are XSTATE_BV */
#define XSTATE_BV_OFFSET 512
#define XSAVE_HEADER_END 576

typedef long (*ptrace_fn)(enum __ptrace_request, pid_t, void *, void *);

/* UML's kernel runs on one host thread and its stacks are small: a static buffer, not a stack one */
static unsigned char whole[64 * 1024] __attribute__((aligned(64)));

/* The XSTATE components that lie entirely within the first len bytes (standard format, CPUID leaf 0xD). */
static uint64_t components_within(size_t len) {
    uint64_t mask = 0x3; /* x87 and SSE: the legacy area */
    for (unsigned i = 2; i < 63; i++) {
        unsigned size, offset, ecx, edx;
        if (!__get_cpuid_count(0xD, i, &size, &offset, &ecx, &edx) || size == 0) {
            continue;
        }
        if ((size_t) offset + size <= len) {
            mask |= (uint64_t) 1 << i;
        }
    }
    return mask;
}

long ptrace(enum __ptrace_request request, ...) {
    static ptrace_fn real;
    static int force = -1;
    va_list ap;
    va_start(ap, request);
    pid_t pid = va_arg(ap, pid_t);
    void *addr = va_arg(ap, void *);
    void *data = va_arg(ap, void *);
    va_end(ap);
    if (real == NULL) {
        real = (ptrace_fn) dlsym(RTLD_NEXT, "ptrace");
    }
    if (force < 0) {
        const char *f = getenv("LAB_XSTATE_SHIM_FORCE");
        force = f != NULL && strcmp(f, "1") == 0;
    }
    if (request == PTRACE_SETREGSET && (uintptr_t) addr == NT_X86_XSTATE && data != NULL) {
        struct iovec *given = data;
        if (given->iov_len >= XSAVE_HEADER_END && given->iov_len <= sizeof whole) {
            struct iovec full = {whole, sizeof whole};
            if (real(PTRACE_GETREGSET, pid, addr, &full) == 0 && (full.iov_len > given->iov_len || force)) {
                uint64_t live_bv, given_bv;
                memcpy(&live_bv, whole + XSTATE_BV_OFFSET, sizeof live_bv);
                memcpy(whole, given->iov_base, given->iov_len);
                memcpy(&given_bv, whole + XSTATE_BV_OFFSET, sizeof given_bv);
                uint64_t within = components_within(given->iov_len);
                uint64_t bv = (given_bv & within) | (live_bv & ~within);
                memcpy(whole + XSTATE_BV_OFFSET, &bv, sizeof bv);
                static int marked;
                const char *mark = getenv("LAB_XSTATE_SHIM_MARK");
                if (!marked && mark != NULL) {
                    marked = 1;
                    int fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                    if (fd >= 0) {
                        close(fd);
                    }
                }
                return real(PTRACE_SETREGSET, pid, addr, &full);
            }
        }
    }
    return real(request, pid, addr, data);
}
