// nginx configuration for the benchmark: the article's Layer 2 (auth_basic + limit_req in front
// of a loopback upstream), run in the foreground from a scratch prefix.

export interface NginxConfOptions {
  prefix: string;
  port: number;
  upstreamPort: number;
  htpasswdFile: string;
  /** nginx refuses `user` unless it starts as root; as root, workers would otherwise run as nobody. */
  runAsRoot: boolean;
}

/** Render nginx.conf. One worker, to be fair to a single Gatehouse process. */
export function nginxConf(o: NginxConfOptions): string {
  return `${o.runAsRoot ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${o.prefix}/nginx.pid;
error_log ${o.prefix}/error.log warn;
events { worker_connections 4096; }
http {
  # The article's nginx keeps its default access log; Gatehouse audits every request, so nginx logs too.
  access_log ${o.prefix}/access.log;
  client_body_temp_path ${o.prefix}/client_body;
  proxy_temp_path ${o.prefix}/proxy;
  fastcgi_temp_path ${o.prefix}/fastcgi;
  uwsgi_temp_path ${o.prefix}/uwsgi;
  scgi_temp_path ${o.prefix}/scgi;

  # The article's zone, with a rate no benchmark run can reach: the check runs, never triggers.
  limit_req_zone $binary_remote_addr zone=api_limit:10m rate=1000000r/s;

  upstream ai_agent {
    server 127.0.0.1:${o.upstreamPort};
    keepalive 64;
  }

  server {
    listen 127.0.0.1:${o.port};
    keepalive_requests 1000000;

    location /api/ {
      auth_basic "AI Agent API";
      auth_basic_user_file ${o.htpasswdFile};
      limit_req zone=api_limit burst=1000000 nodelay;

      proxy_pass http://ai_agent;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
    }
  }
}
`;
}
