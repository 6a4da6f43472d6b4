/* Shared by the suites that write files (Firehose's bucket directories,
 * ItemReader objects, compiled locales): removing what they wrote. */
#ifndef AEV_TEST_TREE_H
#define AEV_TEST_TREE_H

#include <ftw.h>
#include <stdio.h>

static inline int aev_test_remove_one(const char *p, const struct stat *st, int flag,
                                      struct FTW *f) {
  (void)st, (void)flag, (void)f;
  return remove(p);
}

/* Removes dir and everything under it. */
static inline void aev_test_remove_tree(const char *dir) {
  nftw(dir, aev_test_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
