/*
 * pubkey_cache.h -- decode each DKIM public key once, not once per signature.
 *
 * SYNOPSIS
 *	(no functions: d2i_PUBKEY_bio(3) is defined in the executable)
 *
 * DESCRIPTION
 *	libopendkim turns the p= of a key record into an EVP_PKEY with
 *	d2i_PUBKEY_bio() for every RSA signature it verifies. With OpenSSL 3
 *	that decode goes through the provider decoder machinery: measured
 *	under callgrind (tests/bench/profile.sh) it was a third of the
 *	milter's instructions per message and nearly all of its ~1,450
 *	pthread_rwlock_rdlock calls per message (the decoder and name stores).
 *	libopendkim offers no way to hand it a decoded key, so this module
 *	defines d2i_PUBKEY_bio in the executable, which the dynamic linker
 *	prefers over libcrypto's for libopendkim's call (as sighup.h does
 *	with sigwait). For a memory BIO (what libopendkim passes) and no
 *	object to reuse, the bytes left in the BIO are the key's DER: a key
 *	seen before is returned with one more reference (EVP_PKEY_up_ref),
 *	and the BIO is consumed as the decode would have consumed it; an
 *	unknown one is decoded by libcrypto's function and remembered. The
 *	cache holds DT_PUBKEY_SLOTS keys (a slot is chosen by a hash of the
 *	bytes; a new key replaces the one in its slot), never a failed
 *	decode, and compares the bytes in full, so a key that changed in the
 *	DNS is a different key. Anything else (another BIO type, a reused
 *	object, a key over DT_PUBKEY_MAX bytes) goes straight to libcrypto.
 *
 *	A shared EVP_PKEY is only read: libopendkim verifies with it
 *	(EVP_PKEY_get1_RSA, RSA_verify) and frees its reference. Nothing
 *	else in dmarctls-milter calls d2i_PUBKEY_bio.
 */
#ifndef DMARCTLS_PUBKEY_CACHE_H
#define DMARCTLS_PUBKEY_CACHE_H

#define DT_PUBKEY_SLOTS	256	/* keys remembered */
#define DT_PUBKEY_MAX	4096	/* DER bytes; an RSA-8192 SubjectPublicKeyInfo is ~1,050 */

#endif
