/* Splitting huge functions into static parts (--split). */
#ifndef GRADC_SPLIT_H
#define GRADC_SPLIT_H

typedef struct Cx Cx;

/* Splits every function of more than `limit` statements (0: none). */
void split_module(Cx *cx, int limit);

#endif
