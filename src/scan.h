/* The scanner's own state (lexer.l), which the parser reads for its
 * messages: where the scanner is, the brackets still open, the last token
 * and the last lexical error. One per parse, on parse_program's stack; the
 * compilation context knows nothing of it. */
#ifndef GRADC_SCAN_H
#define GRADC_SCAN_H

#include "gradc.h"

/* An opening bracket the lexer has seen and not yet seen closed: syntax
 * errors name it ("expected ')' (to close '(' at 3:14)"). */
typedef struct Bracket {
    char ch;
    Span at;
} Bracket;

typedef struct Scan {
    Cx *cx;                     /* where tokens and errors go */
    Span pos;                   /* where the scanner is */
    PtrVec brackets;            /* Bracket*, innermost last */
    int tok_off, tok_len;       /* the last token scanned, for messages */
    int prev_off, prev_len;     /* the token before it (-1: none), for hints */
    int last_off, last_len;     /* (the last token that is not blank) */
    int closed_off;             /* the opener of the last bracket closed (-1: none) */
    Span tok_end;               /* just after the last token: where EOF errors point */
    int err_line, err_off;      /* the last lexical error, to spare its echo */
    bool nesting_reported;
} Scan;

#endif
