# Stand-in for the vault lock (stacks/kms-stack.ts, vaultLockTarget): terraform_data resources play
# the role assignments under the vault and the CanNotDelete lock. A role assignment's destroy fails
# while LOCK exists, as Azure refuses to delete a role assignment under a CanNotDelete lock.
variable "names" { type = list(string) }
variable "principal" { type = string }

resource "terraform_data" "role_assignment" {
  for_each         = toset(var.names)
  input            = each.key
  triggers_replace = [var.principal] # every argument of azurerm_role_assignment forces a new one
  provisioner "local-exec" {
    when    = destroy
    command = "sleep 1; echo destroy-assignment-${self.input} >> log; if [ -f LOCK ]; then echo 'ScopeLocked'; exit 1; fi"
  }
}

resource "terraform_data" "role_assignment_ids" {
  input = { role_assignment_ids = [for a in terraform_data.role_assignment : a.id] }
}

resource "terraform_data" "lock" {
  depends_on = [terraform_data.role_assignment]
  provisioner "local-exec" { command = "touch LOCK; echo create-lock >> log" }
  provisioner "local-exec" {
    when    = destroy
    command = "rm -f LOCK; echo destroy-lock >> log"
  }
  lifecycle { replace_triggered_by = [terraform_data.role_assignment_ids] }
}
