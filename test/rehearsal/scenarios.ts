// The rehearsal's scenarios by id: README.md marks each statement of its "Deploying", "Safe changes"
// and "Decommissioning" sections with `<!-- scenario: <id> -->`, and test/rehearsal/readme.test.ts
// checks that every id marked there is listed here and run by test/rehearsal/scenarios.test.ts.
export const SCENARIOS = {
  "first-apply": "first apply, targeted step first: grants before each bootstrap, each lock after its host's bootstrap",
  "bootstrap-fails-on-create": "a bootstrap failing on create, then a plain re-apply re-runs it (tainted)",
  "bootstrap-untaint": "a failed bootstrap untainted by hand: the next apply leaves the Run Command alone",
  "bootstrap-fails-on-update": "a bootstrap failing on update: a plain re-apply does not re-run it, a revision bump does",
  "bootstrap-replace": "apply -replace of a Run Command in production: its host's lock deleted first, created after",
  "key-rotation": "a new KMS host key version changes nothing; a revision bump re-runs every bootstrap in place",
  "tag-change": "a tag change updates in place and re-runs no bootstrap; only the saved searches are replaced (their tags are ForceNew)",
  "in-place-settings": "client ranges and products re-run every bootstrap in place, replace nothing",
  "size-change": "hosts.size updates every host in place at once; -target changes one host at a time",
  "host-count": "hosts.count 2 -> 3 -> 2 (lab): adds host 3, then destroys only host 3",
  "zone-change": "hosts.zones: replaces the host in a lab; production refuses (prevent_destroy)",
  "replacing-settings": "osDiskType, image and adminUsername replace every host",
  "monitoring-off": "monitoring off in production: plans only monitoring deletes (the vault lock replaced around its diagnostic setting); the apply is refused under the host locks",
  "dns-ttl": "dns.ttl: in place on Azure Private DNS; replaces the RFC 2136 record sets",
  "vault-lock-window": "a product added in production: the vault lock is deleted, the grants change, the lock returns",
  "vault-endpoint-replace": "production: a replaced vault private endpoint or diagnostic setting falls inside the vault lock's window (deleted first, created after)",
  "password-rotation": "apply -replace of a generated password updates the secret and leaves the VM alone",
  "tier-flip": "lab -> production adds the locks and purge protection in place",
  "old-host-replacement-route": "the old route (tier lab, then apply) fails at apply on purge protection after the locks are gone",
  "replace-one-production-host": "hosts.replace + apply -replace: one host rebuilt, purge protection untouched, its lock back after",
  "decommission-lab": "a lab destroys",
  "decommission-production": "production: destroy refused; tier lab then destroy deletes the locks first, then the rest",
} as const;

export type ScenarioId = keyof typeof SCENARIOS;
