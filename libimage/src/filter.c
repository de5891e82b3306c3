/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Page classification for makedumpfile's dump levels, from VMCOREINFO.
 *
 * Which pages a dump level leaves out is defined by what makedumpfile does
 * (REFERENCE.md 5): the struct page of every RAM page is read through the
 * sparsemem mem_section table, and its flags, mapping, _mapcount and
 * private words decide its class. Keys are checked, not kernel versions:
 * a level whose keys are missing is dropped, and the caller is told which
 * key made it so. */
#include <inttypes.h>
#include <stdio.h>

#include "internal.h"

#define PGMM_CHUNK 512            /* struct pages read (and compound heads seen) at a time */
#define PAGE_MAPPING_ANON 1ull
#define SECTION_MAP_FLAG_MASK 0x1full
#define MAX_ROOTS (1ull << 22)

struct page_layout {
	int64_t size, off_flags, off_mapping, off_mapcount, off_private, off_compound_head;
	int64_t off_order, off_dtor;
	int64_t pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_slab, pg_hwpoison;
	int64_t head_mask, buddy_value, offline_value, hugetlb_dtor;
	bool has_mapcount, has_private, has_chead, has_head, has_order, has_dtor;
	bool has_swapbacked, has_slab, has_hwpoison, has_buddy, has_offline, has_hugetlb;
};

struct sparsemem {
	uint64_t sections_per_root, nr_roots, pfns_per_section;
	int64_t section_size, off_mem_map;
	uint64_t table;  /* address of the root pointers (extreme) or of the sections */
	bool extreme;
};

struct filter {
	struct s3img *img;
	const struct s3img_vmcoreinfo *vi;
	struct page_layout pl;
	struct sparsemem sm;
	int level;
	uint8_t *keep;
	struct s3img_filter_stats *st;
	uint8_t *chunk;
	uint64_t chunk_pfn;       /* first pfn in chunk, or UINT64_MAX */
	bool chunk_ok;
};

struct why {
	char *buf;
	size_t len;
};

static bool key_s64(const struct s3img_vmcoreinfo *vi, const char *kind, const char *name,
		    int64_t *ret, struct why *why)
{
	int r;
	uint64_t u;

	if (strcmp(kind, "SYMBOL") == 0) {
		r = s3img_vmcoreinfo_symbol(vi, name, &u);
		*ret = (int64_t)u;
	} else if (strcmp(kind, "SIZE") == 0)
		r = s3img_vmcoreinfo_size(vi, name, ret);
	else if (strcmp(kind, "OFFSET") == 0)
		r = s3img_vmcoreinfo_offset(vi, name, ret);
	else if (strcmp(kind, "LENGTH") == 0)
		r = s3img_vmcoreinfo_length(vi, name, ret);
	else
		r = s3img_vmcoreinfo_number(vi, name, ret);
	if (r < 0 && why && !why->buf[0])
		snprintf(why->buf, why->len, "%s(%s)", kind, name);
	return r == 0;
}

static bool field_ok(int64_t off, int64_t width, int64_t size)
{
	return off >= 0 && off + width <= size;
}

static bool layout_load(const struct s3img_vmcoreinfo *vi, struct page_layout *pl, struct why *why)
{
	if (!key_s64(vi, "SIZE", "page", &pl->size, why) ||
	    !key_s64(vi, "OFFSET", "page.flags", &pl->off_flags, why) ||
	    !key_s64(vi, "OFFSET", "page.mapping", &pl->off_mapping, why))
		return false;
	pl->has_mapcount = key_s64(vi, "OFFSET", "page._mapcount", &pl->off_mapcount, NULL);
	pl->has_private = key_s64(vi, "OFFSET", "page.private", &pl->off_private, NULL);
	pl->has_chead = key_s64(vi, "OFFSET", "page.compound_head", &pl->off_compound_head, NULL);
	pl->has_order = key_s64(vi, "OFFSET", "page.compound_order", &pl->off_order, NULL);
	pl->has_dtor = key_s64(vi, "OFFSET", "page.compound_dtor", &pl->off_dtor, NULL);
	pl->has_head = key_s64(vi, "NUMBER", "PG_head_mask", &pl->head_mask, NULL);
	pl->has_swapbacked = key_s64(vi, "NUMBER", "PG_swapbacked", &pl->pg_swapbacked, NULL);
	pl->has_slab = key_s64(vi, "NUMBER", "PG_slab", &pl->pg_slab, NULL);
	pl->has_hwpoison = key_s64(vi, "NUMBER", "PG_hwpoison", &pl->pg_hwpoison, NULL);
	pl->has_buddy = key_s64(vi, "NUMBER", "PAGE_BUDDY_MAPCOUNT_VALUE", &pl->buddy_value, NULL);
	pl->has_offline = key_s64(vi, "NUMBER", "PAGE_OFFLINE_MAPCOUNT_VALUE", &pl->offline_value, NULL);
	pl->has_hugetlb = key_s64(vi, "NUMBER", "HUGETLB_PAGE_DTOR", &pl->hugetlb_dtor, NULL);

	/* Every field read must lie inside struct page (page[1] for order/dtor). */
	if (pl->size < 16 || pl->size > 1024 || !field_ok(pl->off_flags, 8, pl->size) ||
	    !field_ok(pl->off_mapping, 8, pl->size) ||
	    (pl->has_mapcount && !field_ok(pl->off_mapcount, 4, pl->size)) ||
	    (pl->has_private && !field_ok(pl->off_private, 8, pl->size)) ||
	    (pl->has_chead && !field_ok(pl->off_compound_head, 8, pl->size)) ||
	    (pl->has_order && !field_ok(pl->off_order, 1, pl->size)) ||
	    (pl->has_dtor && !field_ok(pl->off_dtor, 1, pl->size))) {
		snprintf(why->buf, why->len, "a struct page layout that fits SIZE(page)");
		return false;
	}
	for (int64_t *b = &pl->pg_lru; b <= &pl->pg_hwpoison; b++)
		if (*b < 0 || *b > 63)
			*b = 63; /* unset or absurd bit numbers test a bit no flag uses */
	return true;
}

static bool sparsemem_load(struct s3img *img, const struct s3img_vmcoreinfo *vi, struct sparsemem *sm,
			   struct why *why)
{
	int64_t sym, section_bits, physmem_bits, length = -1;
	uint32_t ps = img->info.page_size;

	if (!key_s64(vi, "SYMBOL", "mem_section", &sym, why) ||
	    !key_s64(vi, "SIZE", "mem_section", &sm->section_size, why) ||
	    !key_s64(vi, "OFFSET", "mem_section.section_mem_map", &sm->off_mem_map, why) ||
	    !key_s64(vi, "NUMBER", "SECTION_SIZE_BITS", &section_bits, why) ||
	    !key_s64(vi, "NUMBER", "MAX_PHYSMEM_BITS", &physmem_bits, why))
		return false;
	key_s64(vi, "LENGTH", "mem_section", &length, NULL);
	if (section_bits < 12 || section_bits > 40 || physmem_bits <= section_bits || physmem_bits > 57 ||
	    sm->section_size < 8 || sm->section_size > (int64_t)ps ||
	    !field_ok(sm->off_mem_map, 8, sm->section_size)) {
		snprintf(why->buf, why->len, "sane sparsemem numbers (SECTION_SIZE_BITS, MAX_PHYSMEM_BITS, SIZE(mem_section))");
		return false;
	}
	uint64_t nr_sections = 1ull << (physmem_bits - section_bits);
	sm->pfns_per_section = 1ull << (section_bits - __builtin_ctz(ps));
	sm->table = (uint64_t)sym;
	/* SPARSEMEM_EXTREME: LENGTH(mem_section) is the number of roots, each a
	 * page of sections; SYMBOL(mem_section) is the roots' address. */
	sm->sections_per_root = ps / (uint64_t)sm->section_size;
	sm->extreme = length > 0 && (uint64_t)length == DIV_ROUND_UP(nr_sections, sm->sections_per_root);
	if (!sm->extreme)
		sm->sections_per_root = nr_sections; /* one flat array of sections */
	sm->nr_roots = sm->extreme ? (uint64_t)length : 1;
	if (sm->nr_roots > MAX_ROOTS) {
		snprintf(why->buf, why->len, "a sane LENGTH(mem_section)");
		return false;
	}
	return true;
}

/* Keys decide the level; the first missing key is named in why. */
static int usable_level(struct filter *f, int level, struct why *why)
{
	const struct s3img_vmcoreinfo *vi = f->vi;
	struct page_layout *pl = &f->pl;

	if (!(level & 0x1e))
		return level;
	if (!vi) {
		snprintf(why->buf, why->len, "VMCOREINFO");
		return level & 1;
	}
	if (!sparsemem_load(f->img, vi, &f->sm, why) || !layout_load(vi, pl, why))
		return level & 1;
	if ((level & 6) && (!key_s64(vi, "NUMBER", "PG_lru", &pl->pg_lru, why) ||
			    !key_s64(vi, "NUMBER", "PG_private", &pl->pg_private, why) ||
			    !key_s64(vi, "NUMBER", "PG_swapcache", &pl->pg_swapcache, why)))
		level &= ~6;
	if ((level & 16) && !(pl->has_buddy && pl->has_mapcount && pl->has_private)) {
		if (!why->buf[0])
			snprintf(why->buf, why->len, "%s",
				 !pl->has_buddy ? "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)" :
				 !pl->has_mapcount ? "OFFSET(page._mapcount)" : "OFFSET(page.private)");
		level &= ~16;
	}
	return level;
}

static inline bool flag(uint64_t flags, int64_t bit)
{
	return bit < 63 && (flags >> bit) & 1;
}

static bool is_cache(const struct page_layout *pl, uint64_t flags)
{
	if (flag(flags, pl->pg_lru))
		return true;
	/* PG_swapcache means swap cache only together with PG_swapbacked
	 * (where that flag exists). */
	return (!pl->has_swapbacked || flag(flags, pl->pg_swapbacked)) && flag(flags, pl->pg_swapcache);
}

static bool not_slab(const struct page_layout *pl, uint64_t flags)
{
	return !pl->has_slab || !flag(flags, pl->pg_slab);
}

static void exclude(struct filter *f, uint64_t pfn, uint64_t n, uint64_t *counter)
{
	uint64_t end = pfn + n > f->img->info.max_pfn ? f->img->info.max_pfn : pfn + n;

	for (; pfn < end; pfn++) {
		uint8_t bit = (uint8_t)(1u << (pfn & 7));
		if (f->keep[pfn >> 3] & bit) {
			f->keep[pfn >> 3] &= (uint8_t)~bit;
			(*counter)++;
		}
	}
}

/* Load PGMM_CHUNK struct pages starting at pfn (chunk aligned). */
static void chunk_load(struct filter *f, uint64_t mem_map, uint64_t pfn, uint64_t section_end)
{
	uint64_t n = section_end - pfn < PGMM_CHUNK ? section_end - pfn : PGMM_CHUNK;
	size_t bytes = (size_t)(n * (uint64_t)f->pl.size);

	f->chunk_pfn = pfn;
	f->chunk_ok = s3img_read_kvaddr(f->img, mem_map + pfn * (uint64_t)f->pl.size, f->chunk, bytes,
					NULL) == 0;
	if (!f->chunk_ok)
		f->st->unreadable_struct_pages += n;
}

/* One page's class; returns the number of pages handled (compound/buddy). */
static uint64_t classify(struct filter *f, uint64_t pfn, const uint8_t *pg, bool have_next)
{
	const struct page_layout *pl = &f->pl;
	uint64_t flags = get_le64(pg + pl->off_flags), mapping = get_le64(pg + pl->off_mapping);
	uint64_t chead = pl->has_chead ? get_le64(pg + pl->off_compound_head) : 0;
	uint32_t mapcount = pl->has_mapcount ? get_le32(pg + pl->off_mapcount) : 0;
	uint64_t private = pl->has_private ? get_le64(pg + pl->off_private) : 0;
	unsigned order = 0, dtor = 0;
	uint64_t n = 1, *counter;
	bool anon = mapping & PAGE_MAPPING_ANON;
	struct s3img_filter_stats *st = f->st;

	if (have_next && pl->has_head && (flags & (uint64_t)pl->head_mask)) {
		const uint8_t *next = pg + pl->size;
		order = pl->has_order ? next[pl->off_order] : 0;
		dtor = pl->has_dtor ? next[pl->off_dtor] : 0;
		if (order >= 64 || (pfn & ((1ull << order) - 1)))
			order = 0;
	}
	n = 1ull << order;
	if (chead & 1)
		return 1; /* a tail page: its head decided for it */
	if ((f->level & 16) && not_slab(pl, flags) && mapcount == (uint32_t)pl->buddy_value) {
		n = private < 32 ? 1ull << private : 1;
		counter = &st->free;
	} else if ((f->level & 2) && is_cache(pl, flags) && !flag(flags, pl->pg_private) && !anon) {
		counter = &st->cache;
	} else if ((f->level & 4) && is_cache(pl, flags) && !anon) {
		counter = flag(flags, pl->pg_private) ? &st->cache_private : &st->cache;
	} else if ((f->level & 8) && (anon || (pl->has_hugetlb && dtor == (uint64_t)pl->hugetlb_dtor))) {
		counter = &st->user;
	} else if (pl->has_hwpoison && flag(flags, pl->pg_hwpoison)) {
		counter = &st->hwpoison;
	} else if (pl->has_offline && pl->has_mapcount && not_slab(pl, flags) &&
		   mapcount == (uint32_t)pl->offline_value) {
		counter = &st->offline;
	} else {
		return 1;
	}
	exclude(f, pfn, n, counter);
	return n;
}

static int filter_section(struct filter *f, uint64_t nr, uint64_t mem_map_enc)
{
	uint64_t start = nr * f->sm.pfns_per_section, end = start + f->sm.pfns_per_section;
	uint64_t mem_map = mem_map_enc & ~SECTION_MAP_FLAG_MASK;

	if (!(mem_map_enc & 1) || !mem_map)
		return 0; /* not present */
	if (end > f->img->info.max_pfn)
		end = f->img->info.max_pfn;
	f->chunk_pfn = UINT64_MAX;
	for (uint64_t pfn = start; pfn < end;) {
		if (!(f->keep[pfn >> 3] & (1u << (pfn & 7)))) {
			pfn++;
			continue;
		}
		uint64_t cbase = pfn / PGMM_CHUNK * PGMM_CHUNK;
		if (f->chunk_pfn != cbase)
			chunk_load(f, mem_map, cbase, end);
		if (!f->chunk_ok) {
			pfn = cbase + PGMM_CHUNK;
			continue;
		}
		uint64_t idx = pfn - cbase;
		bool have_next = idx < PGMM_CHUNK - 1 && pfn + 1 < end;
		pfn += classify(f, pfn, f->chunk + idx * (uint64_t)f->pl.size, have_next);
	}
	return 0;
}

static int filter_walk(struct filter *f)
{
	const struct sparsemem *sm = &f->sm;
	uint64_t max_section = DIV_ROUND_UP(f->img->info.max_pfn, sm->pfns_per_section);
	_cleanup_free_ uint8_t *sections = malloc((size_t)(sm->sections_per_root * (uint64_t)sm->section_size));
	int r;

	if (!sections)
		return -ENOMEM;
	for (uint64_t root = 0; root < sm->nr_roots; root++) {
		uint64_t base = sm->table, first = root * sm->sections_per_root, n = sm->sections_per_root;
		if (first >= max_section)
			break;
		if (n > max_section - first)
			n = max_section - first;
		if (sm->extreme) {
			r = s3img_read_kvaddr(f->img, sm->table + root * 8, &base, 8, NULL);
			if (r < 0 || !base)
				continue;
		}
		if (s3img_read_kvaddr(f->img, base, sections, (size_t)(n * (uint64_t)sm->section_size), NULL) < 0) {
			f->st->unreadable_struct_pages += n * sm->pfns_per_section;
			continue;
		}
		for (uint64_t i = 0; i < n; i++) {
			uint64_t enc = get_le64(sections + i * (uint64_t)sm->section_size + sm->off_mem_map);
			r = filter_section(f, first + i, enc);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

_public_ int s3img_filter(struct s3img *img, int level, uint8_t **ret_keep,
			  struct s3img_filter_stats *ret_stats, struct s3img_diag *diag)
{
	struct s3img_filter_stats st = { 0 };
	struct filter f = { .img = img, .vi = img->vi, .st = &st };
	struct why why = { st.missing_key, sizeof(st.missing_key) };
	uint64_t bytes = DIV_ROUND_UP(img->info.max_pfn, 8);
	int r;

	if (level < 0 || level > 31)
		return diag_err(diag, -EINVAL, UINT64_MAX, "dump level %d is not in 0..31", level);
	f.keep = calloc(1, bytes ? bytes : 1);
	if (!f.keep)
		return -ENOMEM;
	/* Candidates: pages in the input, wholly inside its RAM ranges. */
	for (uint64_t pfn = 0; pfn < img->info.max_pfn; pfn++)
		if (s3img_page_state(img, pfn) == S3IMG_PAGE_DUMPED)
			f.keep[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
	f.level = usable_level(&f, level, &why);
	st.level = f.level;
	if (f.level & 0x1e) {
		f.chunk = malloc(PGMM_CHUNK * (size_t)f.pl.size);
		if (!f.chunk) {
			free(f.keep);
			return -ENOMEM;
		}
		r = filter_walk(&f);
		free(f.chunk);

		if (r < 0) {
			free(f.keep);
			return r;
		}
	}
	*ret_keep = f.keep;
	if (ret_stats)
		*ret_stats = st;
	return 0;
}

_public_ int s3img_filter_level(struct s3img *img, int level, char *why, size_t whylen)
{
	struct filter f = { .img = img, .vi = img->vi };
	char buf[96] = "";
	struct why w = { buf, sizeof(buf) };
	int r;

	if (level < 0 || level > 31)
		return -EINVAL;
	r = usable_level(&f, level, &w);
	if (why && whylen)
		snprintf(why, whylen, "%s", buf);
	return r;
}
