/* Sparsity patterns of whole Jacobians and Hessians (f_jac_sparse,
 * f_hess_sparse; LANGUAGE.md section 6). The generated code runs a mask
 * sweep of the function: every real value carries the set of inputs it
 * depends on, as one bit per input of a chunk of 64 (gradc_mask), ints as
 * themselves. A Jacobian's entries are the bits of the outputs' masks; a
 * Hessian's come from the nonlinear operations, each of which records the
 * masks of the operands it couples (gradc_mrec): the operation met k-th in
 * every sweep is the same one, so its records over all chunks give the
 * whole sets. Then the entries are sorted and the columns coloured so that
 * one directional derivative per colour gives all the values (a star
 * colouring for a Hessian, which uses its symmetry). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* gradc-piece: gradc_pctx  headers: <stddef.h> */
/* a set of up to 64 inputs of the chunk that starts at column c0 */
typedef unsigned long long gradc_mask;
/* local arrays of masks take their memory as doubles */
typedef char gradc_mask_fits_a_double[sizeof(gradc_mask) <= sizeof(double) ? 1 : -1];

typedef struct gradc_prec {
    size_t k;                   /* the k-th nonlinear operation of a sweep */
    size_t c0;                  /* its chunk */
    gradc_mask a, b;            /* the inputs of the chunk it couples: a x b */
} gradc_prec;

typedef struct gradc_pctx {
    int rec;                    /* record the nonlinear operations (Hessians) */
    int failed;                 /* memory ran out */
    int grew;                   /* a set grew (gradc_or) since the last look */
    size_t c0;                  /* the chunk of this sweep */
    size_t k;                   /* nonlinear operations met in this sweep */
    gradc_prec *r;              /* the records */
    size_t nr, capr;
    gradc_mask *e;              /* entries, row << 32 | column */
    size_t nnz, cap;
    int *colour;                /* by column, after gradc_colour or gradc_star */
    int *rcolour;               /* by row, after gradc_colour by rows */
    unsigned char *pick;        /* by entry, after gradc_star: read from the product of
                                   the row's colour (1) or the column's (0) */
} gradc_pctx;
/* gradc-end */

/* gradc-piece: gradc_mbits  needs: gradc_pctx  headers: <stddef.h> */
/* the masks of n inputs that start at column at: their own bit if they
   are in the chunk from c0, else none */
static void gradc_mbits(gradc_mask *m, size_t n, size_t at, size_t c0)
{
    for (size_t i = 0; i < n; i++)
        m[i] = at + i >= c0 && at + i < c0 + 64 ? (gradc_mask)1 << (at + i - c0) : 0;
}
/* gradc-end */

/* gradc-piece: gradc_fillm  needs: gradc_pctx  headers: <stddef.h> <stdint.h> */
static void gradc_fillm(gradc_mask *a, size_t n)
{
    for (size_t i = 0; n != SIZE_MAX && i < n; i++)
        a[i] = 0;
}
/* gradc-end */

/* gradc-piece: gradc_or  needs: gradc_pctx */
/* a | b, noting whether b adds to a (a while loop on real values runs
   until nothing does); inline, so that a loop that joins nothing leaves
   no unused function */
static inline gradc_mask gradc_or(gradc_pctx *c, gradc_mask a, gradc_mask b)
{
    if (b & ~a)
        c->grew = 1;
    return a | b;
}
/* gradc-end */

/* gradc-piece: gradc_copym  needs: gradc_pctx  headers: <stddef.h> <stdint.h> */
/* a = b, or, given c, a |= b (where either branch of an if may have run),
   noting growth in c; a NULL source counts as no inputs */
static void gradc_copym(gradc_mask *a, const gradc_mask *b, size_t n, gradc_pctx *c)
{
    for (size_t i = 0; n != SIZE_MAX && i < n; i++) {
        gradc_mask m = b ? b[i] : 0;
        if (c && (m & ~a[i]))
            c->grew = 1;
        a[i] = (c ? a[i] : 0) | m;
    }
}
/* gradc-end */

/* gradc-piece: gradc_room_for  needs: gradc_pctx  headers: <stddef.h> <stdint.h> <stdlib.h> */
/* room for one more element of `size` bytes in *a, which holds n of *cap;
   0 (and c->failed) if memory runs out */
static int gradc_room_for(gradc_pctx *c, void **a, size_t n, size_t *cap, size_t size)
{
    if (c->failed)
        return 0;
    if (n < *cap)
        return 1;
    size_t more = *cap ? 2 * *cap : 256;
    void *b = more < SIZE_MAX / size ? realloc(*a, more * size) : NULL;
    if (!b) {
        c->failed = 1;
        return 0;
    }
    *a = b;
    *cap = more;
    return 1;
}
/* gradc-end */

/* gradc-piece: gradc_pat_add  needs: gradc_room_for */
static void gradc_pat_add(gradc_pctx *c, size_t row, size_t col)
{
    void *e = c->e;
    if (row > 0x7fffffff || col > 0x7fffffff)
        c->failed = 1;
    if (!gradc_room_for(c, &e, c->nnz, &c->cap, sizeof *c->e))
        return;
    c->e = e;
    c->e[c->nnz++] = (gradc_mask)row << 32 | (gradc_mask)col;
}
/* gradc-end */

/* gradc-piece: gradc_pat_out  needs: gradc_pat_add  headers: <stddef.h> */
/* rows at .. at + n - 1 of a Jacobian: output i depends on the inputs of
   the chunk in m[i] */
static void gradc_pat_out(gradc_pctx *c, const gradc_mask *m, size_t n, size_t at)
{
    for (size_t i = 0; i < n; i++) {
        gradc_mask w = m[i];
        for (size_t b = 0; w; b++, w >>= 1)
            if (w & 1)
                gradc_pat_add(c, at + i, c->c0 + b);
    }
}
/* gradc-end */

/* gradc-piece: gradc_mrec  needs: gradc_room_for  headers: <stddef.h> */
/* a nonlinear operation couples the inputs in a with those in b: each
   pair is a possible nonzero of the Hessian */
static void gradc_mrec(gradc_pctx *c, gradc_mask a, gradc_mask b)
{
    size_t k = c->k++;
    void *r = c->r;
    if (!c->rec || (!a && !b) || !gradc_room_for(c, &r, c->nr, &c->capr, sizeof *c->r))
        return;
    c->r = r;
    c->r[c->nr].k = k;
    c->r[c->nr].c0 = c->c0;
    c->r[c->nr].a = a;
    c->r[c->nr].b = b;
    c->nr++;
}
/* gradc-end */

/* gradc-piece: gradc_pat_end  needs: gradc_pat_add  headers: <stddef.h> <stdlib.h> */
static int gradc_cmp_mask(const void *x, const void *y)
{
    gradc_mask a = *(const gradc_mask *)x, b = *(const gradc_mask *)y;
    return a < b ? -1 : a > b;
}

static int gradc_cmp_prec(const void *x, const void *y)
{
    const gradc_prec *a = x, *b = y;
    return a->k < b->k ? -1 : a->k > b->k ? 1 : a->c0 < b->c0 ? -1 : a->c0 > b->c0;
}

/* The bits of a record's mask as columns, appended to s. */
static size_t gradc_cols(gradc_mask w, size_t c0, size_t *s, size_t n)
{
    for (size_t b = 0; w; b++, w >>= 1)
        if (w & 1)
            s[n++] = c0 + b;
    return n;
}

/* The Hessian's entries from the records: operation k couples every
   input of its a sets with every input of its b sets (both ways; the
   lower triangle is kept). */
static void gradc_pat_pairs(gradc_pctx *c, size_t ncols)
{
    size_t next = 4096, *s = malloc(2 * (ncols ? ncols : 1) * sizeof *s);
    if (!s) {
        c->failed = 1;
        return;
    }
    if (c->nr)
        qsort(c->r, c->nr, sizeof *c->r, gradc_cmp_prec);
    for (size_t g = 0, h; g < c->nr && !c->failed; g = h) {
        size_t na = 0, nb = 0;
        /* a chunk may have several records of one operation (the passes of
           a while loop): their sets are joined first */
        for (int side = 0; side < 2; side++) {
            if (side)
                nb = na;
            for (h = g; h < c->nr && c->r[h].k == c->r[g].k;) {
                size_t c0 = c->r[h].c0;
                gradc_mask w = 0;
                for (; h < c->nr && c->r[h].k == c->r[g].k && c->r[h].c0 == c0; h++)
                    w |= side ? c->r[h].b : c->r[h].a;
                if (side)
                    nb = gradc_cols(w, c0, s, nb);
                else
                    na = gradc_cols(w, c0, s, na);
            }
        }
        for (size_t i = 0; i < na; i++)
            for (size_t j = na; j < nb; j++)
                gradc_pat_add(c, s[i] > s[j] ? s[i] : s[j], s[i] > s[j] ? s[j] : s[i]);
        /* a sorted pass now and then keeps repeated pairs from piling up:
           when the entries have doubled since the last, so that the passes
           cost O(nnz log nnz) in all (a pass whenever the buffer was 3/4
           full sorted at every operation once few pairs repeated) */
        if (c->nnz >= next) {
            size_t w = 0;
            qsort(c->e, c->nnz, sizeof *c->e, gradc_cmp_mask);
            for (size_t i = 0; i < c->nnz; i++)
                if (w == 0 || c->e[i] != c->e[w - 1])
                    c->e[w++] = c->e[i];
            c->nnz = w;
            next = 2 * w > 4096 ? 2 * w : 4096;
        }
    }
    free(s);
}

/* The entries sorted by row, then column, each once: their number, or -1
   if memory ran out or there are more than an int counts. For a Hessian
   (hess), the records give them first. */
static int gradc_pat_end(gradc_pctx *c, int hess, size_t ncols)
{
    if (hess && !c->failed)
        gradc_pat_pairs(c, ncols);
    if (c->failed)
        return -1;
    size_t w = 0;
    if (c->nnz)
        qsort(c->e, c->nnz, sizeof *c->e, gradc_cmp_mask);
    for (size_t i = 0; i < c->nnz; i++)
        if (w == 0 || c->e[i] != c->e[w - 1])
            c->e[w++] = c->e[i];
    c->nnz = w;
    return w > 0x7fffffff ? -1 : (int)w;
}
/* gradc-end */

/* gradc-piece: gradc_pat_all  needs: gradc_pat_add  headers: <stddef.h> */
/* Every entry of an m x n matrix, or of the lower triangle of an n x n
   one (hess): the pattern of a function whose structure depends on real
   values (a loop left on a real condition), where any entry may be
   nonzero. Returns like gradc_pat_end. */
static int gradc_pat_all(gradc_pctx *c, size_t m, size_t n, int hess)
{
    for (size_t i = 0; i < m && !c->failed; i++)
        for (size_t j = 0; j < (hess ? i + 1 : n) && !c->failed; j++)
            gradc_pat_add(c, i, j);
    return c->failed || c->nnz > 0x7fffffff ? -1 : (int)c->nnz;
}
/* gradc-end */

/* gradc-piece: gradc_pat_free  needs: gradc_pctx  headers: <stdlib.h> */
static void gradc_pat_free(gradc_pctx *c)
{
    free(c->r);
    free(c->e);
    free(c->colour);
    free(c->rcolour);
    free(c->pick);
}
/* gradc-end */

/* gradc-piece: gradc_pat_rc  needs: gradc_pctx  headers: <stddef.h> */
/* the pattern into the caller's rows and cols (either may be NULL) */
static void gradc_pat_rc(const gradc_pctx *c, int *rows, int *cols)
{
    for (size_t k = 0; k < c->nnz; k++) {
        if (rows)
            rows[k] = (int)(c->e[k] >> 32);
        if (cols)
            cols[k] = (int)(c->e[k] & 0xffffffffu);
    }
}
/* gradc-end */

/* gradc-piece: gradc_lists  needs: gradc_pctx  headers: <stddef.h> <stdlib.h> */
/* The entries of c as lists, one per key: the row of each entry, or its
   column (by_col), or, for the lower triangle of a symmetric pattern
   (sym), both ways round with the diagonal left out (the graph of H's
   off-diagonal entries). Key k's list is idx[ptr[k] .. ptr[k+1]-1];
   0 if memory ran out (*ptr and *idx are then NULL or to be freed). */
static int gradc_lists(const gradc_pctx *c, size_t nkey, int by_col, int sym, size_t **ptr,
                       size_t **idx)
{
    size_t k, *fill = calloc(nkey + 1, sizeof *fill);
    *ptr = calloc(nkey + 1, sizeof **ptr);
    *idx = malloc((2 * c->nnz + 1) * sizeof **idx);
    if (!fill || !*ptr || !*idx) {
        free(fill);
        return 0;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (k = 0; k < c->nnz; k++) {
            size_t i = (size_t)(c->e[k] >> 32), j = (size_t)(c->e[k] & 0xffffffffu);
            for (int t = 0; t < (sym ? 2 : 1); t++) {
                size_t key = (t == 0) == !by_col ? i : j, other = key == i ? j : i;
                if (sym && i == j)
                    continue;
                if (pass == 0)
                    (*ptr)[key + 1]++;
                else
                    (*idx)[(*ptr)[key] + fill[key]++] = other;
            }
        }
        for (k = 0; pass == 0 && k < nkey; k++)
            (*ptr)[k + 1] += (*ptr)[k];
    }
    free(fill);
    return 1;
}
/* gradc-end */

/* gradc-piece: gradc_colour  needs: gradc_lists  headers: <stddef.h> <stdlib.h> */
/* Colours the n columns of J's m x n pattern greedily, so that no two
   columns with an entry in the same row share a colour: then J times the
   sum of a colour's unit vectors holds each of its columns' entries in
   their own rows (into c->colour). With by_row, the m rows instead, so
   that no two rows with an entry in the same column share one: the sum
   of a colour's unit vectors times J holds its rows' entries in their
   own columns (into c->rcolour). Returns the number of colours, or -1
   if memory ran out. */
static int gradc_colour(gradc_pctx *c, size_t m, size_t n, int by_row)
{
    size_t *kp = NULL, *kx = NULL, *op = NULL, *ox = NULL, p;
    size_t nkey = by_row ? m : n, nother = by_row ? n : m;
    size_t *forbid = malloc((nkey + 1) * sizeof *forbid);
    int **to = by_row ? &c->rcolour : &c->colour, *col, ncol = -1;
    free(*to);
    col = *to = malloc((nkey ? nkey : 1) * sizeof **to);
    /* each key's entries (kp, kx) and each other index's keys (op, ox) */
    if (forbid && col && gradc_lists(c, nkey, !by_row, 0, &kp, &kx) &&
        gradc_lists(c, nother, by_row, 0, &op, &ox)) {
        ncol = 0;
        for (size_t k = 0; k <= nkey; k++)
            forbid[k] = (size_t)-1;
        for (size_t j = 0; j < nkey; j++) {
            for (p = kp[j]; p < kp[j + 1]; p++)
                for (size_t q = op[kx[p]]; q < op[kx[p] + 1]; q++)
                    if (ox[q] < j)
                        forbid[col[ox[q]]] = j;
            int k = 0;
            while (forbid[k] == j)
                k++;
            col[j] = k;
            if (k + 1 > ncol)
                ncol = k + 1;
        }
    }
    free(kp);
    free(kx);
    free(op);
    free(ox);
    free(forbid);
    return ncol;
}
/* gradc-end */

/* gradc-piece: gradc_star  needs: gradc_lists  headers: <stddef.h> <stdlib.h> */
/* Star-colours the n x n symmetric pattern whose lower triangle c holds:
   neighbours (i != j with H[i][j] in the pattern) differ in colour, and
   no path of four vertices has only two colours. Then each entry H[i][j]
   is read from one product H s (s the sum of a colour's unit vectors):
   at row i of the product for j's colour if no other neighbour of i has
   that colour, else at row j of the product for i's colour (a star
   colouring makes j's neighbours of i's colour just i); c->pick[k] says
   which (0, 1) for entry k. Symmetry is what saves colours: an arrowhead
   takes 2, where a colouring of the whole pattern's columns takes n.
   Vertices are coloured from the fewest neighbours to the most, ties by
   index, which also keeps the work near the number of entries for
   patterns with dense rows. Returns the number of colours, or -1 if
   memory ran out. */
static int gradc_star(gradc_pctx *c, size_t n)
{
    size_t *ap = NULL, *aj = NULL, *order = malloc((n + 1) * sizeof *order);
    size_t *forbid = malloc((n + 1) * sizeof *forbid), *seen = malloc((n + 1) * sizeof *seen);
    int *cnt = malloc((n + 1) * sizeof *cnt), ncol = -1;
    size_t i, k, p, q, r;
    free(c->colour);
    free(c->pick);
    c->colour = malloc((n ? n : 1) * sizeof *c->colour);
    c->pick = malloc(c->nnz ? c->nnz : 1);
    if (!order || !forbid || !seen || !cnt || !c->colour || !c->pick || !gradc_lists(c, n, 0, 1, &ap, &aj))
        goto done;
    /* the order: by number of neighbours (a counting sort, stable) */
    for (k = 0; k <= n; k++)
        seen[k] = 0;
    for (i = 0; i < n; i++)
        seen[ap[i + 1] - ap[i]]++;
    for (k = 0, p = 0; k <= n; k++) {
        q = seen[k];
        seen[k] = p;
        p += q;
    }
    for (i = 0; i < n; i++)
        order[seen[ap[i + 1] - ap[i]]++] = i;
    for (k = 0; k <= n; k++) {
        forbid[k] = (size_t)-1;
        seen[k] = (size_t)-1;
        cnt[k] = 0;
    }
    for (i = 0; i < n; i++)
        c->colour[i] = -1;
    ncol = 0;
    for (k = 0; k < n; k++) {
        size_t v = order[k];
        /* v's coloured neighbours: their colours are taken; cnt counts them */
        for (p = ap[v]; p < ap[v + 1]; p++) {
            int cw = c->colour[aj[p]];
            if (cw < 0)
                continue;
            if (seen[cw] != v) {
                seen[cw] = v;
                cnt[cw] = 0;
            }
            cnt[cw]++;
            forbid[cw] = v;
        }
        for (p = ap[v]; p < ap[v + 1]; p++) {
            size_t w = aj[p];
            int cw = c->colour[w];
            if (cw < 0)
                continue;
            for (q = ap[w]; q < ap[w + 1]; q++) {
                size_t x = aj[q];
                int cx = c->colour[x];
                if (x == v || cx < 0 || forbid[cx] == v)
                    continue;
                /* u - v - w - x with u of w's colour: v may not take x's */
                int two = cnt[cw] > 1;
                /* v - w - x - y with y of w's colour: the same */
                for (r = ap[x]; !two && r < ap[x + 1]; r++)
                    two = aj[r] != w && c->colour[aj[r]] == cw;
                if (two)
                    forbid[cx] = v;
            }
        }
        int col = 0;
        while (forbid[col] == v)
            col++;
        c->colour[v] = col;
        if (col + 1 > ncol)
            ncol = col + 1;
    }
    /* where each entry is read: cnt counts the colours of row i's neighbours */
    for (k = 0; k < c->nnz; k++) {
        i = (size_t)(c->e[k] >> 32);
        size_t j = (size_t)(c->e[k] & 0xffffffffu);
        if (k == 0 || i != (size_t)(c->e[k - 1] >> 32)) {
            for (p = ap[i]; p < ap[i + 1]; p++)
                cnt[c->colour[aj[p]]] = 0;
            for (p = ap[i]; p < ap[i + 1]; p++)
                cnt[c->colour[aj[p]]]++;
        }
        c->pick[k] = i != j && cnt[c->colour[j]] > 1;
    }
done:
    free(ap);
    free(aj);
    free(order);
    free(forbid);
    free(seen);
    free(cnt);
    return ncol;
}
/* gradc-end */

/* gradc-piece: gradc_hvals  needs: gradc_pctx  headers: <stddef.h> */
/* The entries that the product hv = H s, s the sum of colour col's unit
   vectors, holds (gradc_star), into vals */
static void gradc_hvals(const gradc_pctx *c, int col, const double *hv, double *vals)
{
    for (size_t k = 0; k < c->nnz; k++) {
        size_t i = (size_t)(c->e[k] >> 32), j = (size_t)(c->e[k] & 0xffffffffu);
        if (c->pick[k] ? c->colour[i] == col : c->colour[j] == col)
            vals[k] = hv[c->pick[k] ? j : i];
    }
}
/* gradc-end */
