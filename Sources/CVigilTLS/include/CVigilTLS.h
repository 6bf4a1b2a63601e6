// The OpenSSL client context of Vigil's TLS broker connections, built in C and handed to libmosquitto
// (MOSQ_OPT_SSL_CTX). VigilMQTT is the only module that imports this header.
//
// Why a C shim: libmosquitto reports every refused broker certificate as OpenSSL's generic
// "certificate verify failed". Which check failed (expired, unknown issuer, bad signature, host
// name) is known only inside OpenSSL's verify callback: a C function pointer without a user
// argument, called on libmosquitto's network thread. And most of the calls that configure a context
// (SSL_CTX_set_min_proto_version, SSL_CTX_set_mode, SSL_CTX_get_ex_new_index) are macros that
// Swift cannot import. So the context is made here; its verify callback records the first
// verification error of a handshake in a small record attached to the context (ex_data), and
// VigilMQTT reads that record after a failed connection attempt.
//
// OpenSSL's types stay out of this header (an incomplete `struct ssl_ctx_st`), so Swift sees only
// these functions.
#ifndef CVIGIL_TLS_H
#define CVIGIL_TLS_H

#include <stddef.h>

struct ssl_ctx_st;

/// The step of `vigil_tls_client_context_new` that failed.
typedef enum {
    VIGIL_TLS_SETUP_OK = 0,
    /// SSL_CTX_new, the minimum protocol version or the verification record.
    VIGIL_TLS_SETUP_CONTEXT = 1,
    /// The CA file could not be read as PEM certificates.
    VIGIL_TLS_SETUP_CA_FILE = 2,
    /// The client certificate (chain) file could not be read.
    VIGIL_TLS_SETUP_CERT_FILE = 3,
    /// The client key file could not be read.
    VIGIL_TLS_SETUP_KEY_FILE = 4,
    /// The client key does not belong to the client certificate.
    VIGIL_TLS_SETUP_KEY_MISMATCH = 5,
    /// The broker's host name could not be set for verification.
    VIGIL_TLS_SETUP_HOST = 6,
} vigil_tls_setup_step;

/// Makes a TLS client context: TLS 1.2 or newer, the broker's certificate verified against the CAs
/// in `ca_file` (SSL_VERIFY_PEER), including `host` (a DNS name, or an IP address compared with the
/// certificate's IP addresses), and the client certificate and key for mutual TLS when `cert_file`
/// and `key_file` are both given (both or neither). Nothing can turn verification off.
///
/// Returns the context with one reference owned by the caller (free it with
/// `vigil_tls_client_context_free`), or NULL with the failed step in `*failed_step` and OpenSSL's
/// error queue as text in `reason` (always NUL-terminated).
struct ssl_ctx_st *vigil_tls_client_context_new(
    const char *ca_file,
    const char *cert_file,
    const char *key_file,
    const char *host,
    vigil_tls_setup_step *failed_step,
    char *reason,
    size_t reason_size
);

/// Drops the caller's reference to a context (libmosquitto holds and drops its own).
void vigil_tls_client_context_free(struct ssl_ctx_st *context);

/// The first certificate verification error recorded since the last call (X509_V_ERR_*, 0 if none),
/// with the depth in the chain where it occurred (0 is the broker's own certificate) in `*depth`;
/// clears the record. Safe to call from any thread.
int vigil_tls_take_verify_error(struct ssl_ctx_st *context, int *depth);

/// OpenSSL's text for a verification error, e.g. "certificate has expired" (static storage).
const char *vigil_tls_verify_error_string(int error);

#endif
