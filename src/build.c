/* build.c - the version and the git commit of this build (build.h).
 *
 * The Makefile passes MKBA_COMMIT to this file alone, and recompiles it
 * when the commit changes (BUILD/commit.stamp), so that a new commit does
 * not rebuild the rest. A build without it (the fuzzing build, a compiler
 * run by hand) has no commit. */
#include "mkba/build.h"

#include <stdio.h>

#ifndef MKBA_VERSION
#define MKBA_VERSION "unknown"
#endif
#ifndef MKBA_COMMIT
#define MKBA_COMMIT ""
#endif

const char *mkba_build_version(void)
{
    return MKBA_VERSION;
}

const char *mkba_build_commit(void)
{
    return MKBA_COMMIT;
}

const char *mkba_build_format(const char *version, const char *commit, char *buf, size_t size)
{
    if (commit && *commit)
        snprintf(buf, size, "%s (commit %s)", version ? version : "", commit);
    else
        snprintf(buf, size, "%s", version ? version : "");
    return buf;
}
