package io.modeld.engine;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * {@code libmodeld-chat} as JNA binds it: modeld's C face of llama.cpp's chat layer
 * ({@code src/main/native/chat/modeld_chat.cpp}). Strings it returns are JSON, freed with
 * {@link #modeld_string_free}; a failure is {@code {"error": ...}} or, for a constructor, null and the
 * message in {@code err}.
 */
interface ChatLibrary extends Library {

    Pointer modeld_chat_init(Pointer model, String template, String bos, String eos, PointerByReference err);

    void modeld_chat_free(Pointer chat);

    Pointer modeld_chat_apply(Pointer chat, String requestJson);

    Pointer modeld_chat_caps(Pointer chat);

    Pointer modeld_parser_new(String appliedJson, String reasoningFormat, int parseToolCalls, PointerByReference err);

    Pointer modeld_parser_add(Pointer parser, String text, int partial);

    void modeld_parser_free(Pointer parser);

    Pointer modeld_sampler_new(Pointer model, String settingsJson, PointerByReference err);

    int modeld_sampler_sample(Pointer sampler, Pointer ctx, int idx);

    void modeld_sampler_free(Pointer sampler);

    int modeld_chat_pin_clock(long epochSeconds);

    void modeld_string_free(Pointer string);
}
