// The system-library target for OpenSSL's libssl (Debian: libssl-dev, `pkg-config openssl`). Only
// the C target CVigilTLS depends on it, so no Swift module sees OpenSSL: VigilMQTT reaches it
// through CVigilTLS's few functions. The header exists so that the target has a single, documented
// entry point, as CVigilMosquitto does for libmosquitto.
#ifndef CVIGIL_OPENSSL_SHIM_H
#define CVIGIL_OPENSSL_SHIM_H
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#endif
