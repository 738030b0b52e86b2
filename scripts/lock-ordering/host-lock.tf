# Stand-in for a host lock (stacks/kms-stack.ts): the lock depends on the host's Run Command and is
# replaced when the Run Command's id changes. The Run Command's destroy fails while LOCK exists (a
# VM's CanNotDelete lock is inherited by its Run Commands).
resource "terraform_data" "run_command" {
  input = "v1"
  provisioner "local-exec" {
    when    = destroy
    command = "sleep 1; echo destroy-run-command >> log; if [ -f LOCK ]; then echo 'ScopeLocked'; exit 1; fi"
  }
}

resource "terraform_data" "lock" {
  depends_on = [terraform_data.run_command]
  provisioner "local-exec" { command = "touch LOCK; echo create-lock >> log" }
  provisioner "local-exec" {
    when    = destroy
    command = "rm -f LOCK; echo destroy-lock >> log"
  }
  lifecycle { replace_triggered_by = [terraform_data.run_command.id] }
}
