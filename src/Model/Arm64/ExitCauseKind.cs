namespace Kvmspec.Model.Arm64;

/// <summary>Why the CPU left the guest for EL2 (the kernel's exception classes and exit codes, grouped).</summary>
public enum ExitCauseKind
{
    SoftwareStep, Brk, Breakpoint, Watchpoint, HostIrq, Stage2Fault, MmioKernel, MmioUser, MmioNoIsv, Sysreg, CondFailed, HypCpuIfFault, Hvc, Wfi,
}
