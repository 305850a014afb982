/** The JSON records of the Pieces schema, field for field as the SDKs read them. Depends on nothing. */
package io.modeld.api.schema;
