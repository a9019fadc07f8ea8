namespace Kvmspec.Model.X86;

/// <summary>X86Emulation's control states: the life of an instruction KVM completes.</summary>
public enum X86TrapState
{
    Idle,
    /// <summary>KVM_EXIT_IO returned; complete_userspace_io finishes the port access on re-entry.</summary>
    AwaitingIo,
    /// <summary>KVM_EXIT_MMIO returned; the emulator finishes the access on re-entry.</summary>
    AwaitingMmio,
    /// <summary>KVM_EXIT_IO for a batch of a string IN returned; complete_emulated_pio re-runs the
    /// emulator on re-entry, which consumes the batch.</summary>
    AwaitingStringIo,
}

/// <summary>X86Emulation's triggers.</summary>
public enum X86TrapTrigger
{
    /// <summary>An intercepted instruction KVM emulates itself (CPUID, WRMSR, HLT, MOV DR).</summary>
    emulate_in_kernel,
    /// <summary>An instruction for KVM's instruction emulator (forced emulation).</summary>
    x86_emulate_instruction,
    /// <summary>Port I/O: kvm_fast_pio() exits with KVM_EXIT_IO.</summary>
    fast_pio,
    /// <summary>An MMIO access: the emulator exits with KVM_EXIT_MMIO.</summary>
    emulated_mmio,
    /// <summary>A string IN (REP INSB): handle_io() → kvm_emulate_instruction() → em_in() →
    /// pio_in_emulated(), which exits with KVM_EXIT_IO for a batch.</summary>
    pio_in_emulated,
    /// <summary>KVM_RUN re-entry: vcpu->arch.complete_userspace_io.</summary>
    complete_userspace_io,
}
