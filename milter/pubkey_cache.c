/*
 * pubkey_cache.c -- the d2i_PUBKEY_bio(3) interposer of pubkey_cache.h.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pubkey_cache.h"

typedef EVP_PKEY *(*d2i_fn)(BIO *, EVP_PKEY **);

typedef struct pk_slot {
	unsigned char	*der;
	size_t		len;
	EVP_PKEY	*key;		/* the cache's reference */
} pk_slot;

static pthread_mutex_t pk_lock = PTHREAD_MUTEX_INITIALIZER;
static pk_slot pk_slots[DT_PUBKEY_SLOTS];
static pthread_once_t pk_once = PTHREAD_ONCE_INIT;
static d2i_fn libcrypto_d2i;

static void
pk_find_real(void)
{
	libcrypto_d2i = (d2i_fn)dlsym(RTLD_NEXT, "d2i_PUBKEY_bio");
}

/* pk_hash - FNV-1a of the DER bytes */
static size_t
pk_hash(const unsigned char *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h % DT_PUBKEY_SLOTS;
}

/* pk_lookup - the key remembered for these bytes, with a new reference, or NULL */
static EVP_PKEY *
pk_lookup(const unsigned char *der, size_t len, size_t slot)
{
	pk_slot	*s = &pk_slots[slot];
	EVP_PKEY *k = NULL;

	pthread_mutex_lock(&pk_lock);
	if (s->key != NULL && s->len == len && memcmp(s->der, der, len) == 0
	    && EVP_PKEY_up_ref(s->key) == 1)
		k = s->key;
	pthread_mutex_unlock(&pk_lock);
	return k;
}

/* pk_remember - keep a reference to a freshly decoded key in its slot */
static void
pk_remember(const unsigned char *der, size_t len, size_t slot, EVP_PKEY *key)
{
	pk_slot	*s = &pk_slots[slot], old;
	unsigned char *copy;

	if ((copy = malloc(len)) == NULL || EVP_PKEY_up_ref(key) != 1) {
		free(copy);
		return;
	}
	memcpy(copy, der, len);
	pthread_mutex_lock(&pk_lock);
	old = *s;
	s->der = copy;
	s->len = len;
	s->key = key;
	pthread_mutex_unlock(&pk_lock);
	free(old.der);
	EVP_PKEY_free(old.key);
}

EVP_PKEY *
d2i_PUBKEY_bio(BIO *bp, EVP_PKEY **a)
{
	d2i_fn	real;
	unsigned char scratch[DT_PUBKEY_MAX];
	char	*data;
	long	n;
	size_t	slot;
	EVP_PKEY *k;

	(void)pthread_once(&pk_once, pk_find_real);
	if ((real = libcrypto_d2i) == NULL)
		return NULL;
	if (a != NULL || bp == NULL || BIO_method_type(bp) != BIO_TYPE_MEM
	    || (n = BIO_get_mem_data(bp, &data)) <= 0 || n > DT_PUBKEY_MAX)
		return real(bp, a);
	/* a copy: the decode below consumes the BIO's bytes */
	memcpy(scratch, data, (size_t)n);
	slot = pk_hash(scratch, (size_t)n);
	if ((k = pk_lookup(scratch, (size_t)n, slot)) != NULL) {
		(void)BIO_read(bp, scratch, (int)n);	/* consumed, as a decode would */
		return k;
	}
	if ((k = real(bp, a)) != NULL)
		pk_remember(scratch, (size_t)n, slot, k);
	return k;
}
