/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <libkmod.h>
#include <stdlib.h>
#include <string.h>

#include "blockdev.h"
#include "modules.h"

/* Drivers that need a bus transport nothing in modules.dep names. */
static const struct {
	const char *driver, *transport;
} transports[] = {
	{ "virtio_blk", "virtio_pci" },
	{ "virtio_scsi", "virtio_pci" },
	{ "virtio_net", "virtio_pci" },
	{ "virtio_console", "virtio_pci" },
	{ "virtio_pmem", "virtio_pci" },
};

struct resolver {
	struct kmod_ctx *ctx;
	struct modlist *out;
	char **seen;
	size_t n_seen;
	struct kx_diag *diag;
};

static int visit(struct resolver *rs, struct kmod_module *mod);

static int visit_list(struct resolver *rs, struct kmod_list *list)
{
	struct kmod_list *l;
	int r = 0;

	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);
		r = visit(rs, m);
		kmod_module_unref(m);
		if (r < 0)
			break;
	}
	return r;
}

static int visit(struct resolver *rs, struct kmod_module *mod)
{
	const char *name = kmod_module_get_name(mod), *path;
	struct kmod_list *deps, *pre = NULL, *post = NULL;
	int r;

	r = strv_add_unique(&rs->seen, &rs->n_seen, name);
	if (r <= 0)
		return r; /* seen already (cycles end here too), or -ENOMEM */
	path = kmod_module_get_path(mod);
	if (!path) {
		r = strv_add_unique(&rs->out->builtin, &rs->out->n_builtin, name);
		return r < 0 ? r : 0;
	}
	if (kmod_module_get_softdeps(mod, &pre, &post) == 0) {
		r = visit_list(rs, pre);
		kmod_module_unref_list(pre);
		if (r < 0) {
			kmod_module_unref_list(post);
			return r;
		}
	}
	deps = kmod_module_get_dependencies(mod);
	r = visit_list(rs, deps);
	kmod_module_unref_list(deps);
	if (r == 0) {
		char **n = realloc(rs->out->names, (rs->out->n + 1) * sizeof(char *));
		char **p = n ? realloc(rs->out->paths, (rs->out->n + 1) * sizeof(char *)) : NULL;
		if (n)
			rs->out->names = n;
		if (p)
			rs->out->paths = p;
		if (!n || !p)
			r = -ENOMEM;
		else {
			n[rs->out->n] = strdup(name);
			p[rs->out->n] = strdup(path);
			if (!n[rs->out->n] || !p[rs->out->n]) {
				free(n[rs->out->n]);
				free(p[rs->out->n]);
				r = -ENOMEM;
			} else {
				rs->out->n++;
			}
		}
	}
	if (r == 0)
		r = visit_list(rs, post);
	kmod_module_unref_list(post);
	return r;
}

/* Look up a name or alias; required: an error if nothing matches. */
static int want(struct resolver *rs, const char *name, const char *moddir)
{
	struct kmod_list *list = NULL;
	int r = kmod_module_new_from_lookup(rs->ctx, name, &list);

	if (r < 0)
		return kx_diag_set(rs->diag, r, 0, "cannot look up module '%s' in '%s': %s", name, moddir,
				   strerror(-r));
	if (!list)
		return kx_diag_set(rs->diag, -ENOENT, 0, "no module '%s' in '%s' (built for another kernel?)",
				   name, moddir);
	r = visit_list(rs, list);
	kmod_module_unref_list(list);
	return r;
}

static int has(const struct modlist *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->names[i], name) == 0)
			return 1;
	for (size_t i = 0; i < m->n_builtin; i++)
		if (strcmp(m->builtin[i], name) == 0)
			return 1;
	return 0;
}

int modules_resolve(const char *moddir, const char *const *wanted, size_t n_wanted,
		    struct modlist *ret, struct kx_diag *diag)
{
	struct modlist out = { 0 };
	struct resolver rs = { .out = &out, .diag = diag };
	int r = 0;

	rs.ctx = kmod_new(moddir, NULL);
	if (!rs.ctx)
		return kx_diag_set(diag, -ENOMEM, 0, "cannot start libkmod for '%s'", moddir);
	kmod_set_log_priority(rs.ctx, 0); /* no libkmod chatter on stderr */
	r = kmod_load_resources(rs.ctx);
	if (r < 0) {
		r = kx_diag_set(diag, -ENOENT, 0, "no module index in '%s' (run depmod)", moddir);
		goto out;
	}
	for (size_t i = 0; i < n_wanted && r == 0; i++)
		r = want(&rs, wanted[i], moddir);
	/* The transport rule, until the set stops growing. */
	for (size_t i = 0; r == 0 && i < sizeof(transports) / sizeof(transports[0]); i++) {
		if (!has(&out, transports[i].driver) || has(&out, transports[i].transport))
			continue;
		r = want(&rs, transports[i].transport, moddir);
		if (r == 0)
			r = strv_add_unique(&out.added, &out.n_added, transports[i].transport);
		if (r > 0)
			r = 0;
	}
out:
	strv_free(rs.seen, rs.n_seen);
	kmod_unref(rs.ctx);
	if (r < 0) {
		modlist_deinit(&out);
		return r;
	}
	*ret = out;
	return 0;
}

void modlist_deinit(struct modlist *m)
{
	if (!m)
		return;
	strv_free(m->names, m->n);
	strv_free(m->paths, m->n);
	strv_free(m->builtin, m->n_builtin);
	strv_free(m->added, m->n_added);
	memset(m, 0, sizeof(*m));
}

int modules_insert(const char *moddir, char *const *paths, size_t n, struct kx_diag *diag)
{
	struct kmod_ctx *ctx = kmod_new(moddir, (const char *const[]){ NULL });
	int r = 0;

	if (!ctx)
		return kx_diag_set(diag, -ENOMEM, 0, "cannot start libkmod");
	kmod_set_log_priority(ctx, 0);
	for (size_t i = 0; i < n && r == 0; i++) {
		struct kmod_module *mod = NULL;
		r = kmod_module_new_from_path(ctx, paths[i], &mod);
		if (r < 0) {
			r = kx_diag_set(diag, r, 0, "cannot open module '%s': %s", paths[i], strerror(-r));
			break;
		}
		r = kmod_module_insert_module(mod, 0, NULL);
		if (r == -EEXIST)
			r = 0;
		else if (r < 0)
			r = kx_diag_set(diag, r, 0, "cannot load module '%s': %s", kmod_module_get_name(mod),
					strerror(-r));
		kmod_module_unref(mod);
	}
	kmod_unref(ctx);
	return r;
}
