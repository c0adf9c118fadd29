/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZSX_INTERNAL_H
#define ZSX_INTERNAL_H

int zsx_platform_init(void);
void zsx_platform_exit(void);
int zsx_api_init(void);
void zsx_api_exit(void);
void zsx_zpool_init(void);
void zsx_zpool_exit(void);
/* a pool's name from the owner pointer the core passes to trace hooks */
const char *zsx_pool_name_of(void *owner);
/* test hook: migrate the page holding a handle's object, as the VM would */
struct zsx_core_pool;
int zsx_test_migrate_handle(struct zsx_core_pool *pool, unsigned long handle);
/* tests: reports of an enum zsx_misuse kind since load */
unsigned long zsx_misuse_count(int kind);

#endif
