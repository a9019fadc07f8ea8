namespace Kvmspec.Model.Arm64;

/// <summary>kvm_arm_setup_debug() / kvm_vcpu_load_debug(): how KVM arms PSTATE.SS for a host step.</summary>
public enum SetupDebug
{
    /// <summary>v4.2-v6.0: SPSR.SS := 1 before every guest entry (arch/arm64/kvm/debug.c).</summary>
    ForceSsEveryEntry,
    /// <summary>2017 proposal: SPSR.SS := !DEBUG_INST_SKIP before every entry, then clear the flag.</summary>
    InstSkipFlag,
    /// <summary>v6.1-v6.13: SPSR.SS := !DBG_SS_ACTIVE_PENDING every entry; the flag is recorded by
    /// kvm_arm_clear_debug() after a guest exit; the guest's PSTATE.SS is saved and restored around each run.</summary>
    ActivePendingFlag,
    /// <summary>v6.14+: the step bit is swapped at vcpu_load/vcpu_put with HOST_/GUEST_SS_ACTIVE_PENDING.</summary>
    LoadPut,
}

/// <summary>kvm_skip_instr(): what skipping an emulated instruction does besides PC += 4.</summary>
public enum SkipInstr
{
    /// <summary>v4.2-v4.20: the PC only.</summary>
    PcOnly,
    /// <summary>v5.0+ (bd7d95cafb49): the PC and SPSR.SS := 0, advancing the step state machine.</summary>
    PcAndSS,
}

/// <summary>kvm_incr_pc() / kvm_inject_*(): when PC increments and injected exceptions take effect.</summary>
public enum AdjustPc
{
    /// <summary>Before v5.11: kvm_skip_instr() and exception injection rewrite the context at once.</summary>
    Immediate,
    /// <summary>v5.11-v5.12: INCREMENT_PC / PENDING_EXCEPTION, applied by __kvm_adjust_pc() at guest entry only.</summary>
    DeferredToEntry,
    /// <summary>v5.13+ (26778aaa134a, e3e880bb1518): also committed before every return to userspace.</summary>
    DeferredCommittedOnReturn,
}

/// <summary>io_mem_abort() / decode_hsr(): when the MMIO instruction's PC advance happens.</summary>
public enum MmioDecode
{
    /// <summary>v4.2-v4.20: decode_hsr() skips the instruction before the access is emulated.</summary>
    SkipAtDecode,
    /// <summary>v5.0+ (0d640732dbeb "arm64: KVM: Skip MMIO insn after emulation").</summary>
    SkipAfterEmulation,
}

/// <summary>kvm_handle_mmio_return(): which re-entries complete a pending access.</summary>
public enum MmioReturn
{
    /// <summary>Up to v5.2: whenever kvm_run.exit_reason is still KVM_EXIT_MMIO (no mmio_needed guard).</summary>
    WhileExitReasonMmio,
    /// <summary>v5.3+ (2113c5f62b74 "KVM: arm/arm64: Only skip MMIO insn once"): once, guarded by mmio_needed.</summary>
    OnceMmioNeeded,
    /// <summary>v6.13+ (e735a5da6442): not when a synchronous exception is pending; mmio_needed stays set.</summary>
    NotWhenAbortPending,
}

/// <summary>handle_trap_exceptions(): whether KVM makes up a step exit after a handled trap.</summary>
public enum TrapExceptions
{
    /// <summary>No synthetic exits (v4.2-v4.14, v5.0+).</summary>
    Plain,
    /// <summary>v4.15-v4.20: after any handler returning &gt;0 and after MMIO completion, KVM_EXIT_DEBUG with hsr = EC only.</summary>
    SyntheticStepExit,
    /// <summary>The 2017-10-03 draft: after any handler returning non-zero (errors too), KVM_EXIT_DEBUG
    /// carrying the trap's own ESR; nothing after MMIO completion.</summary>
    SyntheticStepExitDraft,
}

/// <summary>kvm_arm_setup_mdcr_el2(): when MDCR_EL2.TDA traps the guest's debug-register accesses.</summary>
public enum DebugRegTraps
{
    /// <summary>v3.16-v6.13: TDA unless the guest dirtied its debug registers (DEBUG_DIRTY), or USE_HW.
    /// KVM writes its step bit into the guest's MDSCR_EL1 as the hardware sees it.</summary>
    LazyDirty,
    /// <summary>v6.14+: TDA whenever the host owns debug; the hardware uses external_mdscr_el1.</summary>
    HostOwned,
}

/// <summary>kvm_inject_dabt() after KVM_SET_VCPU_EVENTS ext_dabt_pending.</summary>
public enum ExtDabt
{
    /// <summary>Before v5.5: no such event.</summary>
    Unsupported,
    /// <summary>v5.5+ (da345174ceca): injected, at once or deferred per <see cref="AdjustPc"/>.</summary>
    Supported,
}

/// <summary>How KVM implements the guest's OS Lock (OSLAR_EL1, OSLSR_EL1) and its effect on debug.</summary>
public enum OsLockEmulation
{
    /// <summary>Before v5.18: OSLAR_EL1 is RAZ/WI and OSLSR_EL1 reads a constant 0x8 (implemented,
    /// unlocked): the guest cannot lock; OSLSR_EL1 is not in KVM_GET_REG_LIST.</summary>
    RazWi,
    /// <summary>v5.18-v6.13 (7dabf02f43a1): OSLAR_EL1 sets OSLSR_EL1.OSLK; kvm_arm_setup_debug()
    /// withholds MDE (unless USE_HW) and SS (unless SINGLESTEP) from the hardware's MDSCR_EL1 while locked.</summary>
    ClearMdeSs,
    /// <summary>v6.14+ (2ca3f03bf524, 06d22a9c1b94): a locked OS Lock makes debug HOST_OWNED; the
    /// hardware runs with external_mdscr_el1 (SS, MDE, KDE cleared unless the host sets them);
    /// OSLAR_EL1 writes reload the vCPU.</summary>
    HostOwned,
    /// <summary>The 2021 v2 posting (Oliver Upton, "KVM: arm64: Emulate the OS Lock" 4/6): MDE and SS
    /// withheld as in v5.18, MDCR_EL2.TDE set while locked, and a BRK trapped that way skipped by KVM.</summary>
    TdeSkipBrk,
    /// <summary>The design the v2 commit message rules out ("Simple context switching between the guest
    /// and host is not appropriate, as its effects are not constrained to the guest context"): the
    /// guest's OSLK is loaded into the hardware OS Lock while the guest runs.</summary>
    HardwareLock,
}
