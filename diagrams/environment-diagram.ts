// A picture of one environment, drawn from its synthesized stack (cdk.tf.json), not from the
// environment file or the constructs: what the diagram shows is what Terraform will create. This
// file turns the stack's JSON into a Graphviz graph (DOT); diagrams/render.ts lays it out with
// Graphviz compiled to WebAssembly. Relations are read from the stack's own references
// (`${<type>.<name>.<attribute>}`), so the picture follows whatever the addresses are called.

/** A synthesized stack as cdktf writes it (the parts read here). */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

/** One resource or data source of the stack: `address` is what Terraform calls it. */
interface Item {
  readonly address: string;
  readonly type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any resource type, read field by field with fallbacks
  readonly body: Record<string, any>;
}

/** Every `${type.name...}` (or `${data.type.name...}`) address a value refers to, in order, once each. */
export function referencesIn(value: unknown): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  const found = new Set<string>();
  for (const match of text.matchAll(/\$\{((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)/g)) found.add(match[1]);
  return [...found];
}

/** A DOT string literal. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Text for an HTML-like DOT label. */
function html(text: unknown): string {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A literal value as the picture shows it: a reference becomes the address's last part (`<vm name>.private_ip_address`). */
function shown(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map(shown).join(", ");
  const text = String(value);
  return text.replace(/\$\{(?:data\.)?[a-z][a-z0-9_]*\.([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_[\]]+)*)\}/g, (_, name: string, attribute: string) => `${name}${attribute}`);
}

function itemsOf(stack: StackJson): Item[] {
  const items: Item[] = [];
  for (const [kind, prefix] of [[stack.resource, ""], [stack.data, "data."]] as const) {
    for (const [type, byName] of Object.entries(kind ?? {})) {
      for (const [name, body] of Object.entries(byName)) items.push({ address: `${prefix}${type}.${name}`, type: `${prefix}${type}`, body });
    }
  }
  return items;
}

const NODE_STYLE = {
  host: 'shape=box, style="rounded,filled", fillcolor="#dbeafe", color="#1d4ed8"',
  network: 'shape=plaintext, fillcolor="#ffffff"',
  vault: 'shape=cylinder, style=filled, fillcolor="#fef3c7", color="#b45309"',
  secret: 'shape=note, style=filled, fillcolor="#fffbeb", color="#b45309"',
  dns: 'shape=box, style="rounded,filled", fillcolor="#dcfce7", color="#15803d"',
  monitoring: 'shape=box, style="rounded,filled", fillcolor="#f3e8ff", color="#7e22ce"',
  other: 'shape=box, style="rounded,filled", fillcolor="#f3f4f6", color="#6b7280"',
} as const;

/**
 * The DOT source of an environment's picture: its hosts by availability zone in their subnet with
 * the NSG rules, the key vault with its secrets and the grants on them, the DNS records (Azure
 * Private DNS or RFC 2136 publishers) with the SRV record's targets, and the monitoring. Same
 * stack, same text (resources are taken in the stack's order, which cdktf sorts).
 */
export function environmentDiagramDot(stack: StackJson, title: string): string {
  const items = itemsOf(stack);
  const byAddress = new Map(items.map((item) => [item.address, item]));
  const ofType = (...types: string[]) => items.filter((item) => types.includes(item.type));
  const used = new Set<string>();
  const lines: string[] = [];
  const edges: string[] = [];
  const node = (id: string, label: string, style: string, isHtml = false) => lines.push(`    ${quote(id)} [label=${isHtml ? `<${label}>` : quote(label)}, ${style}];`);
  const edge = (from: string, to: string, label: string, attributes = "") => edges.push(`  ${quote(from)} -> ${quote(to)} [label=${quote(label)}${attributes ? `, ${attributes}` : ""}];`);
  const locked = new Set(ofType("azurerm_management_lock").flatMap((lock) => referencesIn(lock.body.scope)));
  const lockNote = (address: string) => (locked.has(address) ? "\n[CanNotDelete lock]" : "");
  ofType("azurerm_management_lock").forEach((l) => used.add(l.address));

  // Hosts, by zone, inside their subnet with its NSG rules.
  const vms = ofType("azurerm_windows_virtual_machine", "azurerm_linux_virtual_machine");
  const nics = ofType("azurerm_network_interface");
  const subnets = ofType("azurerm_subnet", "data.azurerm_subnet");
  const vnets = ofType("azurerm_virtual_network", "data.azurerm_virtual_network");
  const rules = ofType("azurerm_network_security_rule");
  const nsgs = ofType("azurerm_network_security_group");
  const runCommands = ofType("azurerm_virtual_machine_run_command");
  for (const item of [...vms, ...nics, ...subnets, ...vnets, ...rules, ...nsgs, ...runCommands]) used.add(item.address);
  for (const item of ofType("azurerm_subnet_network_security_group_association", "azurerm_network_interface_security_group_association", "random_password", "azurerm_resource_group")) used.add(item.address);

  const subnet = subnets[0];
  const subnetId = nics.map((nic) => nic.body.ip_configuration?.[0]?.subnet_id).find((id): id is string => typeof id === "string" && !id.startsWith("${"));
  const subnetLabel = subnet
    ? `Subnet ${shown(subnet.body.name)} ${shown(subnet.body.address_prefixes)}${vnets[0] ? ` in ${shown(vnets[0].body.name)} ${shown(vnets[0].body.address_space)}` : ""}`
    : `Existing subnet ${subnetId ? subnetId.split("/").slice(-3).filter((_: string, i: number) => i !== 1).join(" / ") : "(given by id)"}`;
  lines.push("  subgraph cluster_network {", `    label=${quote(subnetLabel)}; style="rounded,dashed"; color="#1d4ed8"; fontcolor="#1d4ed8";`);
  if (rules.length > 0 || nsgs.length > 0) {
    const rows = [...rules]
      .sort((a, b) => Number(a.body.direction > b.body.direction) - Number(a.body.direction < b.body.direction) || Number(a.body.priority) - Number(b.body.priority))
      .map((rule) => {
        const b = rule.body;
        const source = shown(b.source_address_prefixes ?? b.source_address_prefix);
        const ports = shown(b.destination_port_ranges ?? b.destination_port_range);
        return `<tr><td>${html(b.priority)}</td><td>${html(b.direction)}</td><td>${html(b.access)}</td><td>${html(b.protocol)} ${html(ports)}</td><td>${html(source)}</td></tr>`;
      });
    const nsgName = nsgs[0] ? shown(nsgs[0].body.name) : "NSG";
    node(
      "nsg",
      `<table border="0" cellborder="1" cellspacing="0" cellpadding="5" bgcolor="#eff6ff"><tr><td colspan="5"><b>NSG ${html(nsgName)}</b></td></tr><tr><td>prio</td><td>direction</td><td>access</td><td>port</td><td>source</td></tr>${rows.join("")}</table>`,
      NODE_STYLE.network,
      true,
    );
  }
  const zones = new Map<string, Item[]>();
  for (const vm of vms) {
    const zone = vm.body.zone === undefined ? "No availability zone" : `Availability zone ${String(vm.body.zone)}`;
    zones.set(zone, [...(zones.get(zone) ?? []), vm]);
  }
  for (const [zone, inZone] of [...zones].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`    subgraph ${quote(`cluster_${zone}`)} {`, `      label=${quote(zone)}; style=rounded; color="#93c5fd";`);
    for (const vm of inZone) {
      const nic = referencesIn(vm.body.network_interface_ids).map((a) => byAddress.get(a)).find(Boolean);
      const ip = nic?.body.ip_configuration?.[0];
      const address = ip?.private_ip_address ? String(ip.private_ip_address) : "dynamic IP";
      const bootstraps = runCommands.filter((rc) => referencesIn(rc.body.virtual_machine_id).includes(vm.address));
      const bootstrap = bootstraps.length > 0 ? `\nbootstrap: Run Command ${bootstraps.map((rc) => shown(rc.body.name)).join(", ")}` : "";
      lines.push(`      ${quote(vm.address)} [label=${quote(`${shown(vm.body.name)}\n${shown(vm.body.size)}, ${address}${bootstrap}${lockNote(vm.address)}`)}, ${NODE_STYLE.host}];`);
    }
    lines.push("    }");
  }
  lines.push("  }");

  // The key vault, its secrets, and who may read what.
  const vaults = ofType("azurerm_key_vault", "data.azurerm_key_vault");
  const secrets = ofType("azurerm_key_vault_secret");
  const grants = ofType("azurerm_role_assignment");
  for (const item of [...vaults, ...secrets, ...grants, ...ofType("data.azurerm_key_vault_secrets", "data.azurerm_client_config")]) used.add(item.address);
  if (vaults.length > 0 || grants.length > 0) {
    lines.push("  subgraph cluster_vault {", '    label="Key Vault and grants"; style="rounded,dashed"; color="#b45309"; fontcolor="#b45309";');
    for (const vault of vaults) {
      const acl = vault.body.network_acls?.default_action ? `\nfirewall: ${shown(vault.body.network_acls.default_action)} by default` : "";
      const existing = vault.type.startsWith("data.") ? " (existing)" : "";
      node(vault.address, `${shown(vault.body.name)}${existing}${vault.body.purge_protection_enabled ? "\npurge protection" : ""}${acl}${lockNote(vault.address)}`, NODE_STYLE.vault);
    }
    for (const secret of secrets) {
      node(secret.address, `secret ${shown(secret.body.name)}`, NODE_STYLE.secret);
      for (const vault of referencesIn(secret.body.key_vault_id)) edge(vault, secret.address, "holds", 'style=dotted, arrowhead=none');
    }
    const principals = new Set<string>();
    for (const grant of grants) {
      const scopeTarget = referencesIn(grant.body.scope)[0];
      const scopeTail = typeof grant.body.scope === "string" ? grant.body.scope.replace(/^\$\{[^}]*\}/, "") : "";
      const target = scopeTarget ?? `scope:${String(grant.body.scope)}`;
      if (!scopeTarget && !principals.has(target)) {
        principals.add(target);
        node(target, `scope ${shown(grant.body.scope)}`, NODE_STYLE.other);
      }
      let principal = referencesIn(grant.body.principal_id)[0];
      if (!principal) {
        principal = `principal:${String(grant.body.principal_id)}`;
        if (!principals.has(principal)) {
          principals.add(principal);
          node(principal, `principal ${shown(grant.body.principal_id)}\n(the identity running terraform)`, NODE_STYLE.other);
        }
      } else if (principal.startsWith("data.azurerm_client_config.") && !principals.has(principal)) {
        principals.add(principal);
        node(principal, "the identity running terraform\n(azurerm_client_config)", NODE_STYLE.other);
      }
      edge(principal, target, `${shown(grant.body.role_definition_name)}${scopeTail ? `\n${scopeTail.replace(/^\/secrets\//, "secret ")}` : ""}`, 'color="#b45309", fontcolor="#b45309"');
    }
    lines.push("  }");
  }

  // DNS: the zone, the A records and the SRV record clients look up, and who publishes them.
  const zonesDns = ofType("azurerm_private_dns_zone", "data.azurerm_private_dns_zone");
  const links = ofType("azurerm_private_dns_zone_virtual_network_link");
  const aRecords = ofType("azurerm_private_dns_a_record", "dns_a_record_set");
  const srvRecords = ofType("azurerm_private_dns_srv_record", "dns_srv_record_set");
  for (const item of [...zonesDns, ...links, ...aRecords, ...srvRecords]) used.add(item.address);
  /** A record's name in its zone (`kmslab01.lab.contoso.internal.`) for a reference to it, else the value as shown. */
  const recordName = (value: unknown): string => {
    const record = byAddress.get(referencesIn(value)[0] ?? "");
    return record ? nameInZone(record) : shown(value);
  };
  const nameInZone = (record: Item): string => {
    const zoneName = record.body.zone ?? byAddress.get(referencesIn(record.body.zone_name)[0] ?? "")?.body.name ?? record.body.zone_name;
    return `${shown(record.body.name)}.${shown(zoneName).replace(/\.$/, "")}.`;
  };
  if (zonesDns.length + aRecords.length + srvRecords.length > 0) {
    lines.push("  subgraph cluster_dns {", '    label="DNS"; style="rounded,dashed"; color="#15803d"; fontcolor="#15803d";');
    for (const zone of zonesDns) node(zone.address, `Private DNS zone ${shown(zone.body.name)}\n${links.length} virtual network link(s)${lockNote(zone.address)}`, NODE_STYLE.dns);
    for (const record of aRecords) {
      const publisher = record.type.startsWith("dns_") ? "\npublished over RFC 2136" : "";
      node(record.address, `A ${nameInZone(record)}\nTTL ${shown(record.body.ttl)}${publisher}${lockNote(record.address)}`, NODE_STYLE.dns);
      for (const target of referencesIn(record.body.records ?? record.body.addresses)) {
        const vm = vms.find((v) => referencesIn(v.body.network_interface_ids).includes(target)) ?? byAddress.get(target);
        if (vm) edge(record.address, vm.address, "resolves to", 'style=dashed, color="#15803d"');
      }
    }
    for (const srv of srvRecords) {
      const entries: Record<string, unknown>[] = srv.body.record ?? srv.body.srv ?? [];
      const rows = entries.map((e) => `<tr><td>${html(e.priority)}</td><td>${html(e.weight)}</td><td>${html(e.port)}</td><td>${html(recordName(e.target))}</td></tr>`).join("");
      const publisher = srv.type.startsWith("dns_") ? " (RFC 2136)" : "";
      node(
        srv.address,
        `<table border="0" cellborder="1" cellspacing="0" cellpadding="5" bgcolor="#dcfce7"><tr><td colspan="4"><b>SRV ${html(nameInZone(srv))}${publisher}</b></td></tr><tr><td>prio</td><td>weight</td><td>port</td><td>target</td></tr>${rows}</table>`,
        NODE_STYLE.network,
        true,
      );
      for (const target of referencesIn(entries)) if (byAddress.has(target)) edge(srv.address, target, "target", 'color="#15803d"');
    }
    lines.push("  }");
  }

  // Monitoring: the workspace, what collects into it, the alerts and whom they notify.
  const workspaces = ofType("azurerm_log_analytics_workspace", "data.azurerm_log_analytics_workspace");
  const rulesDcr = ofType("azurerm_monitor_data_collection_rule");
  const associations = ofType("azurerm_monitor_data_collection_rule_association");
  const agents = ofType("azurerm_virtual_machine_extension");
  const alerts = ofType("azurerm_monitor_scheduled_query_rules_alert_v2");
  const actionGroups = ofType("azurerm_monitor_action_group");
  const searches = ofType("azurerm_log_analytics_saved_search");
  for (const item of [...workspaces, ...rulesDcr, ...associations, ...agents, ...alerts, ...actionGroups, ...searches]) used.add(item.address);
  if (workspaces.length + rulesDcr.length + alerts.length > 0) {
    lines.push("  subgraph cluster_monitoring {", '    label="Monitoring"; style="rounded,dashed"; color="#7e22ce"; fontcolor="#7e22ce";');
    for (const workspace of workspaces) node(workspace.address, `Log Analytics ${shown(workspace.body.name)}${searches.length > 0 ? `\n${searches.length} saved searches` : ""}`, NODE_STYLE.monitoring);
    for (const dcr of rulesDcr) {
      node(dcr.address, `data collection rule ${shown(dcr.body.name)}`, NODE_STYLE.monitoring);
      for (const workspace of referencesIn(dcr.body.destinations)) if (byAddress.has(workspace)) edge(dcr.address, workspace, "sends to", 'color="#7e22ce"');
      for (const association of associations.filter((a) => referencesIn(a.body.data_collection_rule_id).includes(dcr.address))) {
        for (const vm of referencesIn(association.body.target_resource_id)) if (byAddress.has(vm)) edge(vm, dcr.address, "agent", 'style=dashed, color="#7e22ce"');
      }
    }
    if (alerts.length > 0) {
      node("alerts", `${alerts.length} alerts\n${alerts.map((a) => shown(a.body.name)).join("\n")}`, NODE_STYLE.monitoring);
      for (const workspace of new Set(alerts.flatMap((a) => referencesIn(a.body.scopes)))) if (byAddress.has(workspace)) edge("alerts", workspace, "query", 'color="#7e22ce"');
    }
    for (const group of actionGroups) {
      const receivers = (group.body.email_receiver ?? []) as Record<string, unknown>[];
      node(group.address, `action group ${shown(group.body.name)}\n${receivers.length === 0 ? "notifies nobody (portal only)" : `${receivers.length} e-mail receiver(s)`}`, NODE_STYLE.monitoring);
      if (alerts.length > 0) edge("alerts", group.address, "notify", 'color="#7e22ce"');
    }
    lines.push("  }");
  }

  // Anything else the stack holds, by type, so the picture hides nothing.
  const rest = new Map<string, number>();
  for (const item of items) if (!used.has(item.address)) rest.set(item.type, (rest.get(item.type) ?? 0) + 1);
  if (rest.size > 0) node("other", `Also in this stack\n${[...rest].map(([type, n]) => `${n} x ${type}`).join("\n")}`, NODE_STYLE.other);

  return [
    "digraph environment {",
    `  graph [label=${quote(title)}, labelloc=t, fontname="Helvetica", fontsize=14, rankdir=LR, nodesep=0.3, ranksep=0.6, newrank=true];`,
    // Margins leave room for renderers whose Helvetica is wider than Graphviz's estimate (rsvg, browsers).
    '  node [fontname="Helvetica", fontsize=10, margin="0.25,0.1"];',
    '  edge [fontname="Helvetica", fontsize=9];',
    ...lines.map((line) => line.replace(/^ {4}(?=")/, "    ")),
    ...edges,
    "}",
    "",
  ].join("\n");
}
