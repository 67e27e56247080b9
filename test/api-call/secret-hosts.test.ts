import { describe, expect, it } from "vitest";
import { parseSecretsAllowedHosts } from "../../src/config/env";
import { AppError } from "../../src/lib/errors";
import { secretMayGoTo } from "../../src/lib/secrets";

// SECRETS_ALLOWED_HOSTS: `NAME=host[,host…];NAME2=host`, a host at any port, host:port, *.domain.

const may = (config: string, name: string, url: string): boolean =>
  secretMayGoTo(parseSecretsAllowedHosts(config), name, new URL(url));

describe("SECRETS_ALLOWED_HOSTS", () => {
  it("lets each secret go only to its own hosts", () => {
    const config = " BLOG = api.blog.example , Cdn.Example ; CRM=crm.example:8443;";
    expect(may(config, "BLOG", "https://api.blog.example/posts")).toBe(true);
    expect(may(config, "BLOG", "http://api.blog.example:8080/")).toBe(true);
    expect(may(config, "BLOG", "https://cdn.example/")).toBe(true);
    expect(may(config, "BLOG", "https://crm.example:8443/")).toBe(false);
    expect(may(config, "BLOG", "https://api.blog.example.evil.test/")).toBe(false);
    expect(may(config, "BLOG", "https://evil.test/?api.blog.example")).toBe(false);
    expect(may(config, "CRM", "https://crm.example:8443/x")).toBe(true);
    expect(may(config, "CRM", "https://crm.example/x")).toBe(false);
    expect(may(config, "OTHER", "https://api.blog.example/")).toBe(false);
  });

  it("compares a port with the URL's effective port (80 for http, 443 for https)", () => {
    expect(may("A=x.example:443", "A", "https://x.example/")).toBe(true);
    expect(may("A=x.example:443", "A", "http://x.example/")).toBe(false);
    expect(may("A=x.example:80", "A", "http://x.example/")).toBe(true);
  });

  it("matches *.domain against its subdomains, not the domain itself", () => {
    const config = "A=*.example.com";
    expect(may(config, "A", "https://api.example.com/")).toBe(true);
    expect(may(config, "A", "https://a.b.example.com/")).toBe(true);
    expect(may(config, "A", "https://example.com/")).toBe(false);
    expect(may(config, "A", "https://badexample.com/")).toBe(false);
  });

  it("normalises hosts the way URLs do: case, IDN, IPv6", () => {
    expect(may("A=BÜCHER.example", "A", "https://xn--bcher-kva.example/")).toBe(true);
    expect(may("A=[::1]:8080", "A", "http://[::1]:8080/")).toBe(true);
    expect(may("A=[::1]", "A", "http://[0:0::1]/")).toBe(true);
  });

  it("allows nothing when unset or empty", () => {
    for (const config of [undefined, "", "  ", ";"]) {
      expect(parseSecretsAllowedHosts(config).size, String(config)).toBe(0);
    }
  });

  it("refuses a malformed value as misconfigured, naming the entry but never a secret", () => {
    for (const bad of [
      "BLOG",
      "=x.example",
      "BLOG=",
      "BLOG=x.example,",
      "BLOG=https://x.example",
      "BLOG=x.example/path",
      "BLOG=user@x.example",
      "BLOG=x.example:0",
      "BLOG=x.example:99999",
      "BLOG=x.example:port",
      "BLOG=*.",
      "BLOG=a.*.example",
      "BLOG=x y",
      "BL OG=x.example",
      "BLOG=a.example;BLOG=b.example",
    ]) {
      let error: unknown;
      try {
        parseSecretsAllowedHosts(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(AppError);
      expect((error as AppError).code, bad).toBe("misconfigured");
      expect((error as AppError).message, bad).toContain("SECRETS_ALLOWED_HOSTS");
    }
  });
});
