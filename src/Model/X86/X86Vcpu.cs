using System.Collections.Immutable;
using Kvmspec.Model.Machines;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Model.X86;

/// <summary>A frame the guest's stack holds for an IRETQ: the return RIP and the RFLAGS image.</summary>
public readonly record struct X86Frame(ulong Rip, ulong Rflags);

/// <summary>The composed x86 vCPU: the control states of RunProtocol (shared with arm64),
/// X86GuestDebug and X86Emulation, the guest's architectural state, and KVM's per-vCPU fields
/// (kernel names).</summary>
/// <remarks><see cref="Rflags"/> is the value in the VMCS (GUEST_RFLAGS): the guest's RFLAGS with
/// the host's TF when KVM put it there; KVM_GET_REGS and the emulator read it through
/// kvm_get_rflags(). SIMPLIFICATION: one vCPU in 64-bit mode at CPL 0, one external interrupt
/// vector, VMX (the exception bitmap always intercepts #DB).</remarks>
public sealed record X86Vcpu
{
    public RunState Run { get; init; } = RunState.InVmm;
    public X86DebugState Debug { get; init; } = X86DebugState.Off;
    public X86TrapState Trap { get; init; } = X86TrapState.Idle;

    // Guest architectural state.
    public ulong Rip { get; init; } = X86Program.Base;
    public ulong Rflags { get; init; } = Spec.X86.Rflags.Reset;
    public ulong Rax { get; init; }
    public ulong Rbx { get; init; }
    public ulong Rcx { get; init; }
    /// <summary>RDI: the destination of a string IN (REP INSB).</summary>
    public ulong Rdi { get; init; }
    public ulong R11 { get; init; }
    /// <summary>IA32_APIC_BASE (KVM_GET/SET_SREGS apic_base): the reset value of a BSP, xAPIC
    /// enabled at 0xFEE00000 (kvm_lapic_reset: MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_BSP).</summary>
    public ulong apic_base { get; init; } = 0xFEE00900;
    /// <summary>CR4.PAE; the guest is in long mode (EFER.LME=1, CR0.PG=1), where it must be 1.</summary>
    public bool CR4_PAE { get; init; } = true;
    public ImmutableStack<X86Frame> Frames { get; init; } = ImmutableStack<X86Frame>.Empty;
    public Shadow Shadow { get; init; }
    /// <summary>A single-step trap MOV SS deferred to the next instruction boundary but one.</summary>
    public bool DeferredStep { get; init; }
    /// <summary>A single-step trap pending at the current instruction boundary (after an instruction
    /// that began with TF=1, or after delivering an event with TF=1).</summary>
    public bool StepTrapPending { get; init; }
    /// <summary>An MTF VM exit pending at the current instruction boundary (the MTF proposal).</summary>
    public bool MtfPending { get; init; }
    /// <summary>The data breakpoint slot that matched the last store (a trap at this boundary).</summary>
    public int? DataBpPending { get; init; }
    public bool Halted { get; init; }

    // KVM's per-vCPU state.
    public X86GuestDebug guest_debug { get; init; }
    public ulong singlestep_rip { get; init; }
    /// <summary>vcpu->arch.eff_db[0..3] and guest_debug_dr7 from KVM_SET_GUEST_DEBUG (USE_HW_BP).</summary>
    public X86SetGuestDebug? HostDr { get; init; }
    /// <summary>An exception KVM will inject at the next entry (INJECT_DB/BP, a guest #DB): vector and DR6 payload.</summary>
    public (byte Vector, ulong Payload)? QueuedException { get; init; }
    public X86ExitCause? Cause { get; init; }
    /// <summary>The access waiting for vcpu->arch.complete_userspace_io.</summary>
    public X86ExitCause? Access { get; init; }
    public ulong io_data { get; init; }
    /// <summary>kvm_run->debug.arch as last written: KVM writes only some fields per exit.</summary>
    public X86DebugPayload RunDebug { get; init; } = new(0, 0, 0, 0);
    public PendingReturn? Return { get; init; }
    /// <summary>vcpu->arch.pio.count: the elements of the port access userspace is completing
    /// (the batch of a string IN: kvm_run->io.count).</summary>
    public uint pio_count { get; init; }
    /// <summary>SIMPLIFICATION: guest memory is not modelled; a string IN's destination buffer is
    /// summarised by the bytes it stored (<see cref="StringInBytes"/>) and how many of those were not
    /// data the VMM supplied for that batch (<see cref="StringInStaleBytes"/>: the emulator's read
    /// cache held fewer bytes than the count it consumed, after userspace changed RCX).</summary>
    public ulong StringInBytes { get; init; }
    /// <summary>See <see cref="StringInBytes"/>.</summary>
    public ulong StringInStaleBytes { get; init; }

    // kvm_run's sync-regs part (KVM_CAP_SYNC_REGS): memory the VMM writes at any time.
    /// <summary>kvm_run->kvm_valid_regs.</summary>
    public KvmSyncRegs kvm_valid_regs { get; init; }
    /// <summary>kvm_run->kvm_dirty_regs.</summary>
    public KvmSyncRegs kvm_dirty_regs { get; init; }
    /// <summary>kvm_run->s.regs.</summary>
    public kvm_sync_regs s_regs { get; init; }
    /// <summary>The VMM has written the sync-regs part at least once (the trace then shows it after every return).</summary>
    public bool SyncRegsInUse { get; init; }

    // Environment.
    public bool IrqPending { get; init; }
    public bool HostIrqPending { get; init; }
    public bool SignalPending { get; init; }

    public string? Unhandled { get; init; }

    public bool TfSet => Spec.X86.Rflags.Tf(Rflags);
}
