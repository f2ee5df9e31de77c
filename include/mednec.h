/* mednec.h: umbrella header for the mednec library. */
#ifndef MEDNEC_H
#define MEDNEC_H
#include "mednec/common.h"
#include "mednec/kb.h"
#include "mednec/claim.h"
#include "mednec/result.h"
#include "mednec/engine.h"
#include "mednec/csv.h"
#include "mednec/history.h"
#include "mednec/crossclaim.h"
#include "mednec/x12.h"
#include "mednec/fhir.h"
#include "mednec/csvclaim.h"
#include "mednec/input.h"
#include "mednec/report.h"
#include "mednec/kbinfo.h"
#include "mednec/outfile.h"
#include "mednec/doc.h"
#include "mednec/cds.h"
#endif
