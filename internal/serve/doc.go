// Package serve owns the listeners of "tollgate run": plain HTTP and HTTPS,
// HTTP/2 over TLS (ALPN) and cleartext HTTP/2 (h2c), certificates chosen by
// SNI and reloaded without dropping connections, client certificates
// negotiated in the TLS handshake, and the limits that keep one client from
// exhausting the process: the size of the request line, header block and
// body, the rate at which headers and bodies arrive, the number of open
// connections and how long idle ones are kept. Shutdown drains in-flight
// requests.
//
// A limit is answered with a status and a body in APIM's error shape
// ({ "statusCode": 431, "message": "..." }), never with a dropped
// connection. Where net/http answers a malformed or oversized request
// itself with plain text, the connection wrapper of this package rewrites
// the answer into the same shape.
//
// serve takes any http.Handler; it knows nothing of the gateway. The
// handler sees the client certificate in r.TLS over HTTP/1.1 and HTTP/2.
//
// serve imports software.sslmate.com/src/go-pkcs12 for certificates
// supplied as PKCS#12 (.pfx) files, including those encrypted with AES
// (PBES2), as OpenSSL 3 and Windows write them.
package serve
