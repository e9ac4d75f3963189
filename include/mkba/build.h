/* build.h - which build of mkba this is, for `mkba --version` and the
 * provenance of every result (results.json, the report).
 *
 * The version is the Makefile's VERSION. The commit is the git commit the
 * binary was built from: the first 12 hex digits of HEAD, with "-dirty"
 * when tracked files differed from HEAD at build time (the build then does
 * not match any commit exactly). It is "" for a build outside a git
 * checkout (a release tarball), where the version alone identifies it; a
 * packager may set it with `make COMMIT=...`. */
#ifndef MKBA_BUILD_H
#define MKBA_BUILD_H

#include <stddef.h>

const char *mkba_build_version(void); /* e.g. "0.1.0" */
const char *mkba_build_commit(void);  /* e.g. "3f2a9c1b0d4e", "3f2a9c1b0d4e-dirty" or "" */

/* The build as one line of text: "VERSION" without a commit, else
 * "VERSION (commit COMMIT)", into buf (cut to size). Returns buf. */
const char *mkba_build_format(const char *version, const char *commit, char *buf, size_t size);

#endif
