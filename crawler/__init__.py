"""The Scrapy project of xxgk-archive: spiders per portal platform, pipelines, the simulator."""
import os

# Scrapy's cookie handling asks tldextract for public suffixes, and tldextract would fetch the
# list from publicsuffix.org on first use: a request to a site nobody asked us to crawl, which
# fails (with a logged traceback) where only the portals are reachable. Its bundled snapshot is
# enough for cookie domains. Set before anything imports tldextract.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
