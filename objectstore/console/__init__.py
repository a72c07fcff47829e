"""The web console: static files (HTML, CSS, JavaScript modules) served at /console/.

The browser does all the work: it signs S3 requests itself (SigV4 in JavaScript) or
holds a Swift token, and calls the public APIs of the same origin. The server side is
only a file server with strict headers (app.py)."""
