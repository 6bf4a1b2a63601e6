// The one header through which Swift sees libmosquitto. VigilMQTT is the only module that imports it.
// libmosquitto's API is plain C functions and structs, so no inline wrappers are needed; the header
// exists so that the system-library target has a single, documented entry point.
#ifndef CVIGIL_MOSQUITTO_SHIM_H
#define CVIGIL_MOSQUITTO_SHIM_H
#include <mosquitto.h>
#endif
