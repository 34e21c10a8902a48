"""Open to partners: signed webhooks (`webhooks`), the offer published to data·inclusion
(`datainclusion`) and ProConnect sign-in for prescribers and staff (`proconnect`)."""
