/** The dashboard's own routes: settings, the log, activity, a model's details and a pull by any name. */
package io.modeld.api.workbench;
