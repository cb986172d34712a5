/*
 * utf8.h -- recognising well-formed UTF-8 (RFC 3629) in bytes that need
 * not be text: internationalised addresses pass, anything else is escaped
 * (JSON) or refused (SMTP command lines).
 */
#ifndef DL_UTIL_UTF8_H
#define DL_UTIL_UTF8_H

#include <stddef.h>

/*
 * Length (2-4) of the well-formed multi-byte UTF-8 sequence at s, which has
 * n bytes left, or 0: ASCII, a stray or truncated sequence, an overlong
 * form, a surrogate or a code point past U+10FFFF.
 */
size_t dl_utf8_len(const unsigned char *s, size_t n);

#endif
