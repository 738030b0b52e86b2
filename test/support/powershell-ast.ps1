# Parses PowerShell files with PowerShell's own parser and prints, as one JSON array, the facts the
# jest tests check: syntax errors, PowerShell 7-only syntax, command names, string values,
# function names, .NET members and the script's parameters. Comments are not part of any fact.
# Usage: pwsh -NoProfile -File powershell-ast.ps1 <file> [<file> ...]
param([Parameter(ValueFromRemainingArguments = $true)] [string[]] $Paths)
$ErrorActionPreference = 'Stop'

# PowerShell 7-only syntax, which Windows PowerShell 5.1 cannot parse: the ternary operator and
# pipeline chains as AST nodes; null-coalescing, null-conditional and chain operators as tokens.
$ps7Asts = @('TernaryExpressionAst', 'PipelineChainAst')
$ps7Tokens = @('QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr')

$results = foreach ($path in $Paths) {
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile((Resolve-Path -LiteralPath $path).Path, [ref]$tokens, [ref]$errors)
    $all = @($ast.FindAll({ $true }, $true))
    $ps7 = @()
    foreach ($node in $all) {
        if ($ps7Asts -contains $node.GetType().Name) { $ps7 += [ordered]@{ kind = $node.GetType().Name; line = $node.Extent.StartLineNumber; text = $node.Extent.Text } }
    }
    foreach ($token in $tokens) {
        if ($ps7Tokens -contains [string]$token.Kind) { $ps7 += [ordered]@{ kind = [string]$token.Kind; line = $token.Extent.StartLineNumber; text = $token.Text } }
    }
    $commands = @($all | Where-Object { $_ -is [System.Management.Automation.Language.CommandAst] } | ForEach-Object {
            $name = $_.GetCommandName()
            if (-not $name) { $name = $_.CommandElements[0].Extent.Text }
            [ordered]@{ name = $name; line = $_.Extent.StartLineNumber; text = $_.Extent.Text }
        })
    $strings = @($all | Where-Object { $_ -is [System.Management.Automation.Language.StringConstantExpressionAst] -or $_ -is [System.Management.Automation.Language.ExpandableStringExpressionAst] } | ForEach-Object { [string]$_.Value })
    # Every .NET member invoked or read: static ([Type]::Member) with the type's full name, or on
    # an instance, with the shape of each argument (a [type] cast's type name, else the AST kind).
    $members = @($all | Where-Object { $_ -is [System.Management.Automation.Language.MemberExpressionAst] -and $_.Member -is [System.Management.Automation.Language.StringConstantExpressionAst] } | ForEach-Object {
            $type = $null
            if ($_.Static -and $_.Expression -is [System.Management.Automation.Language.TypeExpressionAst]) {
                $resolved = $_.Expression.TypeName.GetReflectionType()
                $type = $_.Expression.TypeName.FullName
                if ($resolved) { $type = $resolved.FullName }
            }
            $arguments = @()
            if ($_ -is [System.Management.Automation.Language.InvokeMemberExpressionAst] -and $_.Arguments) {
                $arguments = @($_.Arguments | ForEach-Object {
                        $kind = $_.GetType().Name
                        if ($_ -is [System.Management.Automation.Language.ConvertExpressionAst]) { $kind = 'cast:' + $_.Type.TypeName.FullName }
                        elseif ($_ -is [System.Management.Automation.Language.MemberExpressionAst] -and $_.Static -and $_.Expression -is [System.Management.Automation.Language.TypeExpressionAst]) { $kind = 'static:' + $_.Expression.TypeName.FullName }
                        [ordered]@{ kind = $kind; text = $_.Extent.Text }
                    })
            }
            [ordered]@{ static = [bool]$_.Static; type = $type; member = [string]$_.Member.Value; invoked = ($_ -is [System.Management.Automation.Language.InvokeMemberExpressionAst]); arguments = $arguments; line = $_.Extent.StartLineNumber; text = $_.Extent.Text }
        })
    $functions = @($all | Where-Object { $_ -is [System.Management.Automation.Language.FunctionDefinitionAst] } | ForEach-Object { $_.Name })
    $parameters = @()
    if ($ast.ParamBlock) {
        $parameters = @($ast.ParamBlock.Parameters | ForEach-Object {
                $default = $null
                if ($_.DefaultValue) { $default = $_.DefaultValue.Extent.Text }
                [ordered]@{ name = $_.Name.VariablePath.UserPath; type = $_.StaticType.Name; default = $default }
            })
    }
    [ordered]@{
        path       = $path
        errors     = @($errors | ForEach-Object { [ordered]@{ message = $_.Message; line = $_.Extent.StartLineNumber } })
        ps7Only    = $ps7
        commands   = $commands
        strings    = $strings
        functions  = $functions
        members    = $members
        parameters = $parameters
    }
}
ConvertTo-Json -InputObject @($results) -Depth 6 -Compress
