package loadbench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// NginxConfig returns the configuration of the nginx target: one worker
// process in the foreground, every file under prefix (pid, logs, temporary
// files, so that nginx needs no root-owned path), listening on listen and
// proxying to the echo backend at backend (host:port) with kept-alive
// connections. A map checks the subscription key header and answers 401
// to a wrong or missing key; limit_req, keyed by the subscription key,
// allows far more requests than any run sends. Each request writes an
// access log line to a file, as tollgate does. With a certificate, the
// same server also listens on tlsListen with ssl.
func NginxConfig(prefix, listen, backend string, tlsListen string, cert *Certificate) string {
	ssl := ""
	if cert != nil && tlsListen != "" {
		ssl = fmt.Sprintf("\n        listen %s ssl http2;\n        ssl_certificate %s;\n        ssl_certificate_key %s;", tlsListen, cert.CertFile, cert.KeyFile)
	}
	return fmt.Sprintf(`# The nginx target of tollgate's load harness.
worker_processes 1;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;

events {
    worker_connections 4096;
}

http {
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;

    map $http_ocp_apim_subscription_key $loadbench_key_ok {
        default 0;
        %[4]q 1;
    }
    limit_req_zone $http_ocp_apim_subscription_key zone=keys:1m rate=1000000r/s;

    upstream echo {
        server %[3]s;
        keepalive 256;
    }

    server {
        listen %[2]s;%[5]s
        location / {
            if ($loadbench_key_ok = 0) {
                return 401;
            }
            limit_req zone=keys burst=1000000 nodelay;
            proxy_pass http://echo;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
`, prefix, listen, backend, Key, ssl)
}

// FindNginx returns the path of the nginx binary: on PATH, else Debian's
// /usr/sbin/nginx (not on a user's PATH); "" when it is not installed.
func FindNginx() string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	return ""
}

// writeNginx writes the configuration into prefix and returns the
// arguments that start nginx with it.
func writeNginx(prefix, listen, backend, tlsListen string, cert *Certificate) ([]string, error) {
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		return nil, err
	}
	conf := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(conf, []byte(NginxConfig(prefix, listen, backend, tlsListen, cert)), 0o644); err != nil {
		return nil, err
	}
	// -e sends the errors of startup, before the configuration is read, to
	// the prefix too instead of /var/log/nginx.
	return []string{"-p", prefix, "-c", conf, "-e", filepath.Join(prefix, "error.log")}, nil
}
