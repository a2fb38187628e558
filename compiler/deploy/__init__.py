"""Deploy a build to an MDM: one reconcile engine, MDMs as adapters.

build/manifest.json -> desired objects --+
                                        +--> diff by key + content --> ordered writes --> apply
MDM (paged reads)   -> managed objects --+                                  (paced, retried)

`engine.py` knows no MDM; `intune.py` is the adapter for Microsoft Intune (Graph); `http.py` is
the one HTTP client (auth, retries, pacing, batching).
"""
