package io.modeld.engine;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * {@code libmodeld-chat} as JNA binds it: modeld's C face of llama.cpp's chat layer
 * ({@code src/main/native/chat}, whose README gives the conventions). Every function that can fail takes
 * {@code err} last and answers null (or -1) with the message there; strings it returns, messages included,
 * are freed with {@link #modeld_string_free}.
 */
interface ChatLibrary extends Library {

    Pointer modeld_chat_init(Pointer model, String template, String bos, String eos, PointerByReference err);

    void modeld_chat_free(Pointer chat);

    Pointer modeld_chat_apply(Pointer chat, String requestJson, PointerByReference err);

    Pointer modeld_chat_caps(Pointer chat, PointerByReference err);

    Pointer modeld_parser_new(String appliedJson, String reasoningFormat, int parseToolCalls, PointerByReference err);

    Pointer modeld_parser_add(Pointer parser, String text, int partial, PointerByReference err);

    void modeld_parser_free(Pointer parser);

    Pointer modeld_sampler_new(Pointer model, String settingsJson, PointerByReference err);

    int modeld_sampler_sample(Pointer sampler, Pointer ctx, int idx, PointerByReference err);

    void modeld_sampler_free(Pointer sampler);

    int modeld_chat_pin_clock(long epochSeconds);

    void modeld_string_free(Pointer string);
}
