"""The demo's commute trips on the Monaco extract (addresses geocoded offline), shared by the
routing benchmark and the test comparing the engines."""

TRIPS = [
    ("avenue de varavilla beausoleil", "gare sainte devote monaco"),
    ("1 av. pierre weck cap d'ail", "25 av albert II monaco"),
    ("boulevard de la republique beausoleil", "10 av princesse grace"),
    ("eze", "place du casino"),
    ("la turbie", "stade louis II"),
    ("roquebrune cap martin", "quai antoine 1er"),
    ("avenue des pins beausoleil", "bd du jardin exotique monaco"),
    ("cap d ail", "monte carlo"),
    ("boulevard du tenao", "rue grimaldi monaco"),
    ("avenue du 3 septembre cap d'ail", "larvotto"),
]
