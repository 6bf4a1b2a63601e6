// The TLS client context of Vigil's broker connections; why this is C is in include/CVigilTLS.h.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "CVigilTLS.h"

/// What the verify callback saw: written on libmosquitto's network thread, taken by Swift, so both
/// fields are atomic. `error` is set once per handshake (compare-and-swap from X509_V_OK), then
/// `depth`.
struct vigil_tls_record {
    atomic_int error;
    atomic_int depth;
};

static int record_index = -1;
static pthread_once_t record_index_once = PTHREAD_ONCE_INIT;

/// Frees a context's record when OpenSSL frees the context (after the last reference, ours or
/// libmosquitto's, is dropped), so the callback can never see a freed record.
static void free_record(void *parent, void *pointer, CRYPTO_EX_DATA *data, int index, long argl, void *argp) {
    (void)parent;
    (void)data;
    (void)index;
    (void)argl;
    (void)argp;
    free(pointer);
}

static void make_record_index(void) {
    record_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, free_record);
}

static struct vigil_tls_record *record_of(const SSL_CTX *context) {
    if (context == NULL || record_index < 0) return NULL;
    return SSL_CTX_get_ex_data(context, record_index);
}

/// OpenSSL's verify callback: records the first error and returns OpenSSL's own verdict unchanged,
/// so a certificate OpenSSL refused is always refused (the handshake stops at the first error).
static int record_verification(int preverify_ok, X509_STORE_CTX *store) {
    if (preverify_ok) return 1;
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct vigil_tls_record *record = ssl == NULL ? NULL : record_of(SSL_get_SSL_CTX(ssl));
    if (record != NULL) {
        int none = X509_V_OK;
        int error = X509_STORE_CTX_get_error(store);
        if (error == X509_V_OK) error = X509_V_ERR_UNSPECIFIED;
        if (atomic_compare_exchange_strong(&record->error, &none, error)) {
            atomic_store(&record->depth, X509_STORE_CTX_get_error_depth(store));
        }
    }
    return 0;
}

/// Moves OpenSSL's error queue of this thread into `reason` as "first; second; ...".
static void take_errors(char *reason, size_t reason_size) {
    if (reason == NULL || reason_size == 0) return;
    reason[0] = '\0';
    size_t used = 0;
    unsigned long code;
    while ((code = ERR_get_error()) != 0) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        int written = snprintf(reason + used, reason_size - used, "%s%s", used == 0 ? "" : "; ", text);
        if (written < 0 || (size_t)written >= reason_size - used) break;
        used += (size_t)written;
    }
    ERR_clear_error();
}

static struct ssl_ctx_st *fail(
    SSL_CTX *context,
    vigil_tls_setup_step step,
    vigil_tls_setup_step *failed_step,
    char *reason,
    size_t reason_size
) {
    take_errors(reason, reason_size);
    if (failed_step != NULL) *failed_step = step;
    SSL_CTX_free(context);
    return NULL;
}

struct ssl_ctx_st *vigil_tls_client_context_new(
    const char *ca_file,
    const char *cert_file,
    const char *key_file,
    const char *host,
    vigil_tls_setup_step *failed_step,
    char *reason,
    size_t reason_size
) {
    ERR_clear_error();
    if (failed_step != NULL) *failed_step = VIGIL_TLS_SETUP_OK;
    if (reason != NULL && reason_size > 0) reason[0] = '\0';
    pthread_once(&record_index_once, make_record_index);
    if (record_index < 0) return fail(NULL, VIGIL_TLS_SETUP_CONTEXT, failed_step, reason, reason_size);

    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (context == NULL) return fail(NULL, VIGIL_TLS_SETUP_CONTEXT, failed_step, reason, reason_size);
    struct vigil_tls_record *record = calloc(1, sizeof *record);
    if (record == NULL || !SSL_CTX_set_ex_data(context, record_index, record)) {
        free(record);
        return fail(context, VIGIL_TLS_SETUP_CONTEXT, failed_step, reason, reason_size);
    }
    // What libmosquitto's own context would have: TLS 1.2 or newer (it only excludes SSLv3 and
    // TLS 1.0), no compression, buffers released while idle.
    if (!SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)) {
        return fail(context, VIGIL_TLS_SETUP_CONTEXT, failed_step, reason, reason_size);
    }
    SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);

    if (ca_file == NULL || SSL_CTX_load_verify_locations(context, ca_file, NULL) != 1) {
        return fail(context, VIGIL_TLS_SETUP_CA_FILE, failed_step, reason, reason_size);
    }
    if ((cert_file == NULL) != (key_file == NULL)) {
        return fail(context, cert_file == NULL ? VIGIL_TLS_SETUP_CERT_FILE : VIGIL_TLS_SETUP_KEY_FILE,
                    failed_step, reason, reason_size);
    }
    if (cert_file != NULL) {
        if (SSL_CTX_use_certificate_chain_file(context, cert_file) != 1) {
            return fail(context, VIGIL_TLS_SETUP_CERT_FILE, failed_step, reason, reason_size);
        }
        if (SSL_CTX_use_PrivateKey_file(context, key_file, SSL_FILETYPE_PEM) != 1) {
            return fail(context, VIGIL_TLS_SETUP_KEY_FILE, failed_step, reason, reason_size);
        }
        if (SSL_CTX_check_private_key(context) != 1) {
            return fail(context, VIGIL_TLS_SETUP_KEY_MISMATCH, failed_step, reason, reason_size);
        }
    }

    // libmosquitto checks the host name in its own verify callback, which this context replaces,
    // so OpenSSL checks it instead, during chain verification (X509_V_ERR_HOSTNAME_MISMATCH or
    // X509_V_ERR_IP_ADDRESS_MISMATCH). Every SSL made from the context inherits these parameters.
    X509_VERIFY_PARAM *parameters = SSL_CTX_get0_param(context);
    if (host == NULL || parameters == NULL) {
        return fail(context, VIGIL_TLS_SETUP_HOST, failed_step, reason, reason_size);
    }
    X509_VERIFY_PARAM_set_hostflags(parameters, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (X509_VERIFY_PARAM_set1_ip_asc(parameters, host) != 1) {
        // Not an IP address: a DNS name, matched against the certificate's names.
        ERR_clear_error();
        if (X509_VERIFY_PARAM_set1_host(parameters, host, 0) != 1) {
            return fail(context, VIGIL_TLS_SETUP_HOST, failed_step, reason, reason_size);
        }
    }
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, record_verification);
    ERR_clear_error();
    return context;
}

void vigil_tls_client_context_free(struct ssl_ctx_st *context) {
    SSL_CTX_free(context);
}

int vigil_tls_take_verify_error(struct ssl_ctx_st *context, int *depth) {
    struct vigil_tls_record *record = record_of(context);
    if (record == NULL) {
        if (depth != NULL) *depth = 0;
        return X509_V_OK;
    }
    int error = atomic_exchange(&record->error, X509_V_OK);
    int at = atomic_exchange(&record->depth, 0);
    if (depth != NULL) *depth = at;
    return error;
}

const char *vigil_tls_verify_error_string(int error) {
    return X509_verify_cert_error_string(error);
}
