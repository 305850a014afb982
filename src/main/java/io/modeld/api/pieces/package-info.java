/** The Pieces door: the Model API, the Models API, their WebSockets and modeld's transfer extensions, in the SDKs' JSON. */
package io.modeld.api.pieces;
