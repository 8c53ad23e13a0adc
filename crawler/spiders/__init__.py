"""One base spider per portal platform (cf. Querido Diário); each portal is configuration."""
