using Kvmspec.Spec.X86;

namespace Kvmspec.Model.X86;

/// <summary>Why the guest stopped running: the VM exit KVM's handler sees.</summary>
public enum X86ExitKind
{
    HostIrq,
    /// <summary>An interrupt window opened (IF=1, no shadow) with an interrupt pending.</summary>
    IrqWindow,
    /// <summary>A #DB: a trap (single-step, data breakpoint) or a fault (instruction breakpoint, DR7.GD); exit qualification in Dr6.</summary>
    DebugException,
    /// <summary>INT3 with KVM_GUESTDBG_USE_SW_BP (#BP in the exception bitmap).</summary>
    Breakpoint,
    /// <summary>ICEBP (INT1): a #DB VM exit with the instruction not yet skipped.</summary>
    Icebp,
    /// <summary>An MTF VM exit (the MTF proposal).</summary>
    Mtf,
    /// <summary>CPUID, WRMSR, HLT, MOV from DR: intercepted, emulated in the kernel.</summary>
    Intercept,
    /// <summary>OUT/IN: I/O exiting.</summary>
    PortIo,
    /// <summary>An MMIO access (EPT misconfiguration) or a forced-emulation #UD: KVM's instruction emulator.</summary>
    Emulate,
}

/// <summary>A VM exit: its kind, the RIP at the exit, the instruction involved and, for a #DB, the
/// exit qualification (DR6 bits); for an instruction the emulator ran, the RFLAGS it computed and ctxt->tf, the TF it
/// saw when it began (init_emulate_ctxt).</summary>
public readonly record struct X86ExitCause(X86ExitKind Kind, ulong Rip, X86Instruction? Insn = null, ulong Dr6 = 0, ulong? Eflags = null, bool CtxtTf = false);
